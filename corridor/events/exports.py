"""The event lists as tables for CSV and XLSX (`corridor.core.exports.table_response`):
the list of events, and for one event's organisers its participants, its meetings and
meeting requests, the outcomes each side recorded, and its leads (meetings after which a
side wants to follow up or reached an agreement).

Each function returns `(headers, rows)`: headers and labels in the active language, names
in the reader's language, codes beside labels. Times are the slots' local times (Singapore
and Chongqing share UTC+8). The views check who may export (the list: what the person sees;
an event's lists: its organisers, `permissions.require_organiser`); these only read.
"""

from django.db.models import Prefetch
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from corridor.core.bilingual import LANGUAGE_LABELS, bilingual
from corridor.core.exports import coded, labels_of, title_cells, title_headers, yes_no
from corridor.core.vocabularies import country_name
from corridor.events import queries, schedule_codes
from corridor.events.models import Event, MeetingOutcome, MeetingRequest, Participant

# An outcome that makes its meeting a lead: a side wants to follow up, or agreed.
LEAD_OUTCOMES = (MeetingOutcome.Outcome.FOLLOW_UP, MeetingOutcome.Outcome.AGREEMENT)


def _name(organisation, language: str) -> str:
    return bilingual(organisation, "name", language)


def _languages(codes) -> str:
    return "; ".join(str(LANGUAGE_LABELS.get(code, code)) for code in codes or [])


# --- the list of events ----------------------------------------------------------------------


def event_table(user):
    """The events of the list page (those the person sees), newest first."""
    language = get_language()
    registrations = labels_of(Event.Registration)
    headers = [
        *title_headers(),
        _("first day"),
        _("last day"),
        _("venue"),
        _("organiser"),
        _("participants"),
        _("registration code"),
        _("registration"),
        _("published"),
        _("synthetic"),
    ]
    rows = [
        [
            *title_cells(event, language),
            event.first_day,
            event.last_day,
            bilingual(event, "venue", language),
            _name(event.organiser, language),
            event.participant_count,
            *coded(event.registration, registrations),
            yes_no(event.is_published),
            yes_no(event.is_synthetic),
        ]
        for event in queries.events_listed(user)
    ]
    return headers, rows


# --- one event's lists -----------------------------------------------------------------------


def _slot_cells(slots: dict, index) -> list:
    """The day, start and end of a slot number (empty when there is none)."""
    slot = slots.get(index) if index is not None else None
    if slot is None:
        return [None, None, None]
    return [slot.starts.date(), slot.starts.strftime("%H:%M"), slot.ends.strftime("%H:%M")]


def _slot_headers() -> list[str]:
    return [_("day"), _("starts at"), _("ends at")]


def _slots(event: Event) -> dict:
    return {slot.index: slot for slot in event.slots()}


def _contact(participant: Participant) -> list[str]:
    contact = participant.contact
    return [contact.display_name, contact.email] if contact else ["", ""]


def participant_table(event: Event):
    """The event's participants as its page lists them (by country, then name), with their
    contact persons and when they cannot meet."""
    language = get_language()
    slots = _slots(event)
    statuses = labels_of(Participant.Status)
    headers = [
        _("organisation"),
        _("organisation (English)"),
        _("organisation (Chinese)"),
        _("country code"),
        _("country"),
        _("working languages"),
        _("contact person"),
        _("contact e-mail"),
        _("fixed table"),
        _("unavailable"),
        _("status code"),
        _("status"),
        _("registered at"),
    ]

    def unavailable(participant) -> str:
        times = []
        for index in sorted(participant.blocked_slots or []):
            slot = slots.get(index)
            if slot is not None:
                times.append(f"{slot.starts:%Y-%m-%d %H:%M}–{slot.ends:%H:%M}")
        return "; ".join(times)

    rows = [
        [
            _name(p.organisation, language),
            p.organisation.name_en,
            p.organisation.name_zh,
            p.organisation.country,
            country_name(p.organisation.country, language) if p.organisation.country else "",
            _languages(p.languages),
            *_contact(p),
            p.fixed_table,
            unavailable(p),
            *coded(p.status, statuses),
            p.registered_at,
        ]
        for p in queries.participants_of(event)
    ]
    return headers, rows


def meeting_table(event: Event):
    """Every meeting and meeting request of the event, as its organisers see them on its
    page (by time, then table): when and where, and the interpreter."""
    language = get_language()
    slots = _slots(event)
    priorities, statuses = labels_of(MeetingRequest.Priority), labels_of(MeetingRequest.Status)
    headers = [
        _("meeting number"),
        _("asked by"),
        _("asked to meet"),
        _("priority code"),
        _("priority"),
        _("status code"),
        _("status"),
        *_slot_headers(),
        _("table"),
        _("locked"),
        _("interpreter needed"),
        _("interpreter"),
        _("why not placed"),
        _("added by the organisers"),
        _("from a directory connection"),
        _("message"),
    ]
    rows = [
        [
            m.pk,
            _name(m.requester.organisation, language),
            _name(m.requested.organisation, language),
            *coded(m.priority, priorities),
            *coded(m.status, statuses),
            *_slot_cells(slots, m.slot),
            m.table,
            yes_no(m.locked),
            yes_no(m.needs_interpreter),
            bilingual(m.interpreter, "name", language) if m.interpreter else "",
            schedule_codes.in_words(m.unplaced_reason) if m.unplaced_reason else "",
            yes_no(m.added_by_organiser),
            yes_no(m.connection_id is not None),
            m.message,
        ]
        for m in queries.requests_of(event)
    ]
    return headers, rows


def _outcomes_of(event: Event):
    return MeetingOutcome.objects.filter(meeting__event=event).select_related(
        "meeting__requester__organisation",
        "meeting__requested__organisation",
        "participant__organisation",
        "project",
        "recorded_by",
    )


def outcome_table(event: Event):
    """What each side recorded after its meetings, by time, table and side."""
    language = get_language()
    slots = _slots(event)
    outcomes = labels_of(MeetingOutcome.Outcome)
    headers = [
        _("meeting number"),
        *_slot_headers(),
        _("table"),
        _("recorded for"),
        _("met with"),
        _("outcome code"),
        _("outcome"),
        _("note"),
        _("cooperation project (external id)"),
        _("cooperation project"),
        _("recorded by"),
        _("recorded at"),
    ]
    records = sorted(
        _outcomes_of(event),
        key=lambda o: (o.meeting.slot is None, o.meeting.slot or 0, o.meeting.table or 0, o.pk),
    )
    rows = []
    for o in records:
        meeting = o.meeting
        other = meeting.requested if meeting.requester_id == o.participant_id else meeting.requester
        rows.append(
            [
                meeting.pk,
                *_slot_cells(slots, meeting.slot),
                meeting.table,
                _name(o.participant.organisation, language),
                _name(other.organisation, language),
                *coded(o.outcome, outcomes),
                o.note,
                o.project.external_id if o.project else "",
                bilingual(o.project, "title", language) if o.project else "",
                o.recorded_by.display_name if o.recorded_by else "",
                o.recorded_at,
            ]
        )
    return headers, rows


def lead_table(event: Event):
    """The event's leads: one row per meeting after which a side wants to follow up or
    reached an agreement, with both sides, their contact persons and what each recorded."""
    language = get_language()
    slots = _slots(event)
    outcomes = labels_of(MeetingOutcome.Outcome)
    meetings = (
        queries.requests_of(event)
        .filter(outcomes__outcome__in=LEAD_OUTCOMES)
        .select_related("requester__contact", "requested__contact")
        .prefetch_related(
            Prefetch("outcomes", queryset=MeetingOutcome.objects.select_related("project"))
        )
        .distinct()
    )
    headers = [_("meeting number"), *_slot_headers(), _("table")]
    for side in (_("first side"), _("second side")):
        headers += [
            side,
            _("%(side)s: contact person") % {"side": side},
            _("%(side)s: contact e-mail") % {"side": side},
            _("%(side)s: outcome") % {"side": side},
            _("%(side)s: note") % {"side": side},
        ]
    headers.append(_("cooperation projects (external ids)"))
    rows = []
    for meeting in meetings:
        by_side = {o.participant_id: o for o in meeting.outcomes.all()}
        row = [meeting.pk, *_slot_cells(slots, meeting.slot), meeting.table]
        for side in (meeting.requester, meeting.requested):
            recorded = by_side.get(side.pk)
            row += [
                _name(side.organisation, language),
                *_contact(side),
                outcomes.get(recorded.outcome, recorded.outcome) if recorded else "",
                recorded.note if recorded else "",
            ]
        projects = sorted({o.project.external_id for o in by_side.values() if o.project})
        row.append("; ".join(projects))
        rows.append(row)
    return headers, rows
