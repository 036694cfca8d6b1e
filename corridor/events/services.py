"""Every write to a matchmaking event: validate, check permission, write in one transaction,
record an audit entry, and enqueue background work (a scheduling run, e-mails about moved
meetings) once the transaction commits.

Pages, the API, the demo and tasks call these functions; none of them writes models directly.
The demo loader and commands act as `corridor.core.actors.SYSTEM`; who may do what is in
`corridor.events.permissions`, and `actor=None` is refused like any stranger.
"""

from datetime import date, time

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import gettext_noop

from corridor.accounts.models import Organisation
from corridor.accounts.notifications import Message, notify
from corridor.core.actors import person_of
from corridor.core.audit import audit_record
from corridor.core.bilingual import bilingual
from corridor.core.unique import unique_or_raise
from corridor.directory.models import Connection
from corridor.events import clock, queries, tasks
from corridor.events.models import (
    Event,
    Interpreter,
    MeetingOutcome,
    MeetingPrecedence,
    MeetingRequest,
    Participant,
    ScheduleRun,
    Session,
)
from corridor.events.notifications import people_of as participant_people
from corridor.events.permissions import (
    BY_INVITATION,
    NOT_YOURS,
    OPEN,
    acts_for,
    acts_for_organisations,
    can_organise,
    can_organise_for,
    can_register,
    require,
    require_acts_for,
    require_gives_feedback,
    require_organiser,
)
from corridor.events.scheduling.precedence import cycle as precedence_cycle
from corridor.portfolio import services as portfolio

UNCHANGED = object()
LANGUAGES = ("en", "zh")
# A stale save: nothing was written. The page shows the saved values beside the person's.
STALE_PARTICIPANT = _lazy(
    "Someone else changed this participant's availability since you opened it, so nothing was "
    "saved. Compare your values with theirs, shown above the form, and save again to replace "
    "them."
)
STALE_REQUEST = _lazy(
    "Someone else changed this meeting request since you opened it (or the scheduler moved "
    "the meeting), so nothing was saved. Its values now are shown; change it again to replace "
    "them."
)
STALE_OUTCOME = _lazy(
    "Someone else recorded the outcome of this meeting since you opened the page, so nothing "
    "was saved. Their outcome is shown; record yours again to replace it."
)


def _take_saved(loaded, saved) -> None:
    """The caller's object takes the values just saved (its cached relations stay)."""
    for field in type(saved)._meta.concrete_fields:
        setattr(loaded, field.attname, getattr(saved, field.attname))


def _check_version(current: int, given: int | None, message) -> None:
    """Optimistic locking: a save made from a version that is no longer the saved one is
    refused (the API answers 409). `given` None: the system itself (demo, commands)."""
    if given is not None and int(given) != current:
        raise ValidationError({"version": str(message)})


def _save_changed(actor, loaded, saved, before: dict, fields: list[str]) -> None:
    """Write `fields` of the locked `saved` row with its version raised, give the caller's
    `loaded` object the saved values, and record the fields that differ from `before`."""
    saved.version += 1
    saved.save(update_fields=[*fields, "version", "updated_at"])
    _take_saved(loaded, saved)
    audit_record(
        actor=actor,
        action="update",
        target=loaded,
        changes={
            name: [old, getattr(saved, name)]
            for name, old in before.items()
            if old != getattr(saved, name)
        },
    )


# --- events ---------------------------------------------------------------------------------


def event_create(
    *,
    actor,
    organiser: Organisation,
    title_en: str,
    title_zh: str = "",
    description_en: str = "",
    description_zh: str = "",
    venue_en: str = "",
    venue_zh: str = "",
    slot_minutes: int = 20,
    tables: int = 10,
    registration: str = Event.Registration.OPEN,
    fairness: int = 2,
    sessions: list[tuple[date, str, time, time]] = (),
    is_published: bool = False,
    is_synthetic: bool = False,
) -> Event:
    """An event with its sessions (date, "am"/"pm", start, end)."""
    require(
        can_organise_for(actor, organiser.pk),
        _("You can organise events for your own organisation only."),
    )
    errors = {}
    if not (title_en or "").strip():
        errors["title_en"] = _("Title (English): give the event a title.")
    if not 5 <= int(slot_minutes or 0) <= 240:
        errors["slot_minutes"] = _("Meeting length: between 5 and 240 minutes.")
    if not 1 <= int(tables or 0) <= 2000:
        errors["tables"] = _("Tables: between 1 and 2,000.")
    if registration not in Event.Registration.values:
        errors["registration"] = _("Registration: choose open or by invitation.")
    if not 0 <= int(fairness) <= 20:
        errors["fairness"] = _("Fairness bound: between 0 and 20.")
    seen = set()
    for day, part, starts, ends in sessions:
        if part not in Session.Part.values:
            errors["sessions"] = _("Sessions: the part of the day must be morning or afternoon.")
        elif ends <= starts:
            errors["sessions"] = _("Sessions: a session on %(date)s ends before it starts.") % {
                "date": day.isoformat()
            }
        elif (day, part) in seen:
            errors["sessions"] = _("Sessions: %(date)s has two sessions in the %(part)s.") % {
                "date": day.isoformat(),
                "part": Session.Part(part).label,
            }
        seen.add((day, part))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        event = Event.objects.create(
            organiser=organiser,
            title_en=title_en.strip(),
            title_zh=(title_zh or "").strip(),
            description_en=description_en,
            description_zh=description_zh,
            venue_en=venue_en,
            venue_zh=venue_zh,
            slot_minutes=slot_minutes,
            tables=tables,
            registration=registration,
            fairness=fairness,
            is_published=is_published,
            is_synthetic=is_synthetic,
        )
        Session.objects.bulk_create(
            [
                Session(event=event, date=day, part=part, starts_at=starts, ends_at=ends)
                for day, part, starts, ends in sessions
            ]
        )
        audit_record(actor=actor, action="create", target=event, summary=str(event))
    return event


def event_publish(*, actor, event: Event, published: bool = True) -> Event:
    require_organiser(actor, event)
    with transaction.atomic():
        event.is_published = published
        event.save(update_fields=["is_published"])
        audit_record(
            actor=actor,
            action="publish",
            target=event,
            changes={"is_published": [not published, published]},
        )
    return event


# --- participants ---------------------------------------------------------------------------


def _clean_languages(languages) -> list[str]:
    languages = [str(code).strip().lower() for code in languages or []]
    if any(code not in LANGUAGES for code in languages):
        raise ValidationError(
            {"languages": _("Working languages: choose English (en) and/or Chinese (zh).")}
        )
    return [code for code in LANGUAGES if code in languages]


def _clean_blocked(event: Event, blocked) -> list[int]:
    count = len(event.slots())
    try:
        slots = sorted({int(slot) for slot in blocked or []})
    except (TypeError, ValueError) as exc:
        raise ValidationError(
            {"blocked_slots": _("Unavailable slots: give slot numbers.")}
        ) from exc
    wrong = [s for s in slots if not 0 <= s < count]
    if wrong:
        raise ValidationError(
            {
                "blocked_slots": _(
                    "Unavailable slots: the event has slots 1 to %(count)d; %(wrong)s is not one."
                )
                % {"count": count, "wrong": ", ".join(str(s + 1) for s in wrong)}
            }
        )
    return slots


def _clean_fixed_table(event: Event, fixed_table: int | None) -> int | None:
    if fixed_table is not None and not 1 <= fixed_table <= event.tables:
        raise ValidationError(
            {
                "fixed_table": _("Fixed table: the event has tables 1 to %(count)d.")
                % {"count": event.tables}
            }
        )
    return fixed_table


def _clean_contact(organisation: Organisation, contact):
    """The contact person, who must belong to the organisation (None: nobody)."""
    if contact is not None and not organisation.memberships.filter(user=contact).exists():
        raise ValidationError(
            {
                "contact": _("Contact person: %(person)s does not belong to this organisation.")
                % {"person": contact.display_name}
            }
        )
    return contact


def participant_add(
    *,
    actor,
    event: Event,
    organisation: Organisation,
    contact=None,
    languages=(),
    blocked_slots=(),
    fixed_table: int | None = None,
) -> Participant:
    """Register an organisation: its own members may when registration is open and the event
    is published; otherwise the organisers invite it."""
    organising = can_organise(actor, event)
    require(can_register(actor, event, organisation.pk), BY_INVITATION)
    if fixed_table is not None and not organising:
        require_organiser(actor, event)
    fixed_table = _clean_fixed_table(event, fixed_table)
    contact = _clean_contact(organisation, contact)
    cleaned_languages = _clean_languages(languages)
    blocked = _clean_blocked(event, blocked_slots)
    already = ValidationError(
        {
            "organisation": _("%(name)s is already registered for this event.")
            % {"name": organisation.name}
        }
    )
    with unique_or_raise(already):
        participant = Participant.objects.create(
            event=event,
            organisation=organisation,
            contact=contact,
            languages=cleaned_languages,
            blocked_slots=blocked,
            fixed_table=fixed_table,
            status=Participant.Status.REGISTERED,
        )
        audit_record(actor=actor, action="create", target=participant, summary=str(organisation))
    return participant


def participant_update(
    *,
    actor,
    participant: Participant,
    languages=UNCHANGED,
    blocked_slots=UNCHANGED,
    fixed_table=UNCHANGED,
    contact=UNCHANGED,
    version: int | None = None,
) -> Participant:
    """Change a participant's languages, availability, contact or (organisers) fixed table.
    The next scheduling run uses the change; meetings already placed stay until then.

    `version` is the version the person loaded (pages and the API give it): if someone saved
    the participant since, nothing is written."""
    require_acts_for(actor, participant)
    event = participant.event
    changes = {}
    if languages is not UNCHANGED:
        changes["languages"] = _clean_languages(languages)
    if blocked_slots is not UNCHANGED:
        changes["blocked_slots"] = _clean_blocked(event, blocked_slots)
    if fixed_table is not UNCHANGED:
        require_organiser(actor, event)
        changes["fixed_table"] = _clean_fixed_table(event, fixed_table)
    if contact is not UNCHANGED:
        changes["contact"] = _clean_contact(participant.organisation, contact)
    with transaction.atomic():
        # the saved participant, locked: the changes go onto it, not onto what was loaded
        saved = Participant.objects.select_for_update().get(pk=participant.pk)
        _check_version(saved.version, version, STALE_PARTICIPANT)
        for name, value in changes.items():
            setattr(saved, name, value)
        saved.version += 1
        saved.save()
        _take_saved(participant, saved)
        audit_record(
            actor=actor,
            action="update",
            target=participant,
            changes={k: [None, str(v)] for k, v in changes.items()},
        )
    return participant


def _interpreter_name(name_en) -> str:
    name_en = (name_en or "").strip()
    if not name_en:
        raise ValidationError({"name_en": _("Name (English): give the interpreter's name.")})
    return name_en


def _interpreter_languages(languages) -> list[str]:
    cleaned = _clean_languages(languages)
    if len(cleaned) < 2:
        raise ValidationError(
            {"languages": _("Working languages: an interpreter works between two languages.")}
        )
    return cleaned


def interpreter_add(
    *,
    actor,
    event: Event,
    name_en: str,
    name_zh: str = "",
    languages=LANGUAGES,
    blocked_slots=(),
) -> Interpreter:
    """An interpreter working at the event (organisers only): the languages they interpret
    between (the participants' choices) and the slots they are not available. The scheduler
    gives each meeting whose sides share no working language an interpreter free in its
    slot who speaks a language of each side."""
    require_organiser(actor, event)
    fields = {
        "name_en": _interpreter_name(name_en),
        "name_zh": (name_zh or "").strip(),
        "languages": _interpreter_languages(languages),
        "blocked_slots": _clean_blocked(event, blocked_slots),
    }
    with transaction.atomic():
        interpreter = Interpreter.objects.create(event=event, **fields)
        audit_record(actor=actor, action="create", target=interpreter, summary=str(interpreter))
    return interpreter


def interpreter_update(
    *,
    actor,
    interpreter: Interpreter,
    name_en=UNCHANGED,
    name_zh=UNCHANGED,
    languages=UNCHANGED,
    blocked_slots=UNCHANGED,
) -> Interpreter:
    """Change an interpreter's names, languages or unavailable slots (organisers only);
    fields left UNCHANGED keep their values. The next scheduling run uses the change."""
    event = interpreter.event
    require_organiser(actor, event)
    cleaners = {
        "name_en": _interpreter_name,
        "name_zh": lambda value: (value or "").strip(),
        "languages": _interpreter_languages,
        "blocked_slots": lambda value: _clean_blocked(event, value),
    }
    given = {
        "name_en": name_en,
        "name_zh": name_zh,
        "languages": languages,
        "blocked_slots": blocked_slots,
    }
    changes = {
        name: cleaners[name](value) for name, value in given.items() if value is not UNCHANGED
    }
    with transaction.atomic():
        saved = Interpreter.objects.select_for_update().get(pk=interpreter.pk)
        before = {name: getattr(saved, name) for name in changes}
        for name, value in changes.items():
            setattr(saved, name, value)
        saved.save(update_fields=list(changes) or None)
        _take_saved(interpreter, saved)
        audit_record(
            actor=actor,
            action="update",
            target=interpreter,
            changes={k: [str(before[k]), str(v)] for k, v in changes.items() if before[k] != v},
        )
    return interpreter


# --- meeting requests -----------------------------------------------------------------------


def _check_pair(event: Event, requester: Participant, requested: Participant) -> None:
    if requester.event_id != event.pk or requested.event_id != event.pk:
        raise ValidationError({"requested": _("Both sides must be registered for this event.")})
    if requester.pk == requested.pk:
        raise ValidationError({"requested": _("A participant cannot ask to meet itself.")})
    for side in (requester, requested):
        if side.status == Participant.Status.CANCELLED:
            raise ValidationError(
                {"requested": _("%(name)s cancelled its registration.") % {"name": side}}
            )
    if queries.open_between(event, requester, requested):
        raise ValidationError(
            {
                "requested": _(
                    "%(first)s and %(second)s already have a meeting or a request waiting for "
                    "an answer."
                )
                % {"first": requester, "second": requested}
            }
        )


def _clean_priority(priority: str) -> str:
    if priority not in MeetingRequest.Priority.values:
        raise ValidationError({"priority": _("Priority: choose must meet or would like to meet.")})
    return priority


def _request_write(
    actor, event: Event, requester, requested, priority: str, *, summary: str = "", **fields
) -> MeetingRequest:
    """Check the pair and the priority, then write the request and its audit entry."""
    _check_pair(event, requester, requested)
    priority = _clean_priority(priority)
    with transaction.atomic():
        request = MeetingRequest.objects.create(
            event=event, requester=requester, requested=requested, priority=priority, **fields
        )
        audit_record(
            actor=actor,
            action="create",
            target=request,
            summary=summary or f"{requester} → {requested}",
        )
    return request


def request_create(
    *,
    actor,
    event: Event,
    requester: Participant,
    requested: Participant,
    priority: str = MeetingRequest.Priority.WOULD_LIKE,
    message: str = "",
) -> MeetingRequest:
    """A asks to meet B; B answers. A pending request blocks no slot."""
    require_acts_for(actor, requester)
    with transaction.atomic():
        request = _request_write(
            actor, event, requester, requested, priority, message=(message or "").strip()[:2000]
        )
        _notify_request(actor, request)
    return request


def meeting_add(
    *,
    actor,
    event: Event,
    requester: Participant,
    requested: Participant,
    priority: str = MeetingRequest.Priority.MUST,
    connection: Connection | None = None,
) -> MeetingRequest:
    """The organisers add a meeting directly (accepted on both sides' behalf)."""
    require_organiser(actor, event)
    return _request_write(
        actor,
        event,
        requester,
        requested,
        priority,
        status=MeetingRequest.Status.ACCEPTED,
        added_by_organiser=True,
        connection=connection,
    )


def request_from_connection(
    *, actor, event: Event, connection: Connection, priority: str = MeetingRequest.Priority.MUST
) -> MeetingRequest:
    """Two enterprises connected in the directory meet at the event: both said they want to
    talk, so the meeting is accepted at once. Both must be registered."""
    organisations = {
        connection.from_profile.organisation_id: "requester",
        connection.to_profile.organisation_id: "requested",
    }
    require(acts_for_organisations(actor, event, organisations), NOT_YOURS)
    if connection.status != Connection.Status.ACCEPTED:
        raise ValidationError(
            {"connection": _("Only an accepted connection can become a meeting.")}
        )
    sides = {
        p.organisation_id: p
        for p in Participant.objects.filter(event=event, organisation_id__in=organisations)
    }
    if len(sides) < 2:
        raise ValidationError(
            {"connection": _("Both enterprises must be registered for the event first.")}
        )
    return _request_write(
        actor,
        event,
        sides[connection.from_profile.organisation_id],
        sides[connection.to_profile.organisation_id],
        priority,
        summary=str(connection.pk),
        status=MeetingRequest.Status.ACCEPTED,
        connection=connection,
        message=connection.message,
    )


def request_answer(*, actor, request: MeetingRequest, accept: bool) -> MeetingRequest:
    """The asked side accepts or declines."""
    require_acts_for(actor, request.requested)
    with transaction.atomic():
        request = MeetingRequest.objects.select_for_update().get(pk=request.pk)
        if request.status != MeetingRequest.Status.PENDING:
            answered = _("This request was already answered or cancelled: it is “%(status)s”.")
            raise ValidationError({"status": answered % {"status": request.get_status_display()}})
        request.status = (
            MeetingRequest.Status.ACCEPTED if accept else MeetingRequest.Status.DECLINED
        )
        request.version += 1
        request.save(update_fields=["status", "version", "updated_at"])
        audit_record(
            actor=actor,
            action="transition",
            target=request,
            changes={"status": [MeetingRequest.Status.PENDING, request.status]},
        )
        _notify_request(actor, request)
    return request


def request_update(
    *,
    actor,
    request: MeetingRequest,
    priority=UNCHANGED,
    message=UNCHANGED,
    version: int | None = None,
) -> MeetingRequest:
    """The asking side (or an organiser) changes the priority or the message; requests stay
    editable until the event. `version` is the version the person loaded (pages and the API
    give it): if someone (or the scheduler) saved the request since, nothing is written."""
    require_acts_for(actor, request.requester)
    if priority is not UNCHANGED:
        priority = _clean_priority(priority)
    with transaction.atomic():
        saved = MeetingRequest.objects.select_for_update().get(pk=request.pk)
        if saved.status not in OPEN:
            raise ValidationError(
                {"status": _("This request was declined or cancelled and cannot be changed.")}
            )
        _check_version(saved.version, version, STALE_REQUEST)
        before = {"priority": saved.priority, "message": saved.message}
        if priority is not UNCHANGED:
            saved.priority = priority
        if message is not UNCHANGED:
            saved.message = (message or "").strip()[:2000]
        _save_changed(actor, request, saved, before, ["priority", "message"])
    return request


def request_cancel(*, actor, request: MeetingRequest) -> MeetingRequest:
    """Either side or an organiser cancels; a placed meeting frees its slot."""
    require(acts_for(actor, request.requester) or acts_for(actor, request.requested), NOT_YOURS)
    with transaction.atomic():
        request = MeetingRequest.objects.select_for_update().get(pk=request.pk)
        if request.status not in OPEN:
            raise ValidationError({"status": _("This request was already declined or cancelled.")})
        before = request.status
        had_slot = request.set_cancelled()
        request.save()
        audit_record(
            actor=actor,
            action="transition",
            target=request,
            changes={"status": [before, request.status]},
        )
    if had_slot:
        _notify_moved([request.pk])
    return request


def meeting_lock(
    *, actor, request: MeetingRequest, slot: int | None, version: int | None = None
) -> MeetingRequest:
    """The organisers fix a meeting in a slot (the scheduler keeps it there), or unlock it.
    `version` is the version of the request the organiser loaded (pages and the API give
    it): if someone (or the scheduler) saved the request since, nothing is written."""
    event = request.event
    require_organiser(actor, event)
    if request.status != MeetingRequest.Status.ACCEPTED:
        raise ValidationError({"slot": _("Only an accepted meeting can be locked.")})
    if slot is not None:
        count = len(event.slots())
        if not 0 <= slot < count:
            raise ValidationError(
                {"slot": _("Slot: the event has slots 1 to %(count)d.") % {"count": count}}
            )
        for side in (request.requester, request.requested):
            if slot in (side.blocked_slots or []):
                raise ValidationError(
                    {
                        "slot": _("Slot: %(name)s is not available in slot %(slot)d.")
                        % {"name": side, "slot": slot + 1}
                    }
                )
    with transaction.atomic():
        # the saved request (someone may have changed it since it was loaded): only the slot,
        # the lock and the calendar sequence are written, and the version raised
        saved = MeetingRequest.objects.select_for_update().get(pk=request.pk)
        _check_version(saved.version, version, STALE_REQUEST)
        before = {"slot": saved.slot, "locked": saved.locked}
        moved = slot is not None and saved.slot is not None and saved.slot != slot
        if slot is None:
            saved.locked = False
        else:
            saved.slot, saved.locked = slot, True
            if moved:
                saved.sequence += 1
        _save_changed(actor, request, saved, before, ["slot", "locked", "sequence"])
    if moved:
        _notify_moved([request.pk])
    return request


# --- meetings in order -----------------------------------------------------------------------

ORDER_OPEN = (MeetingRequest.Status.PENDING, MeetingRequest.Status.ACCEPTED)


def _meeting_name(meeting: MeetingRequest) -> str:
    return _("%(first)s with %(second)s") % {
        "first": bilingual(meeting.requester.organisation, "name"),
        "second": bilingual(meeting.requested.organisation, "name"),
    }


def precedence_add(
    *, actor, event: Event, before: MeetingRequest, after: MeetingRequest
) -> MeetingPrecedence:
    """The organisers say that meeting `before` must come before meeting `after` (the
    scheduler then puts it in an earlier slot). Refused: a meeting of another event, a
    meeting before itself, a pair already ordered, and an order that closes a circle
    (A before B before ... before A), which is named meeting by meeting."""
    require_organiser(actor, event)
    for field, meeting in (("before", before), ("after", after)):
        if meeting is None or meeting.event_id != event.pk:
            raise ValidationError({field: _("Meeting: choose a meeting of this event.")})
        if meeting.status not in ORDER_OPEN:
            raise ValidationError(
                {field: _("Meeting: a declined or cancelled meeting cannot be put in order.")}
            )
    if before.pk == after.pk:
        raise ValidationError({"after": _("Meeting: a meeting cannot come before itself.")})
    with transaction.atomic():
        # the event's orders, locked, so that two organisers cannot close a circle at once
        existing = list(
            MeetingPrecedence.objects.select_for_update()
            .filter(event=event)
            .values_list("before_id", "after_id")
        )
        already = ValidationError(
            {"after": _("Meeting: these two meetings are already in this order.")}
        )
        if (before.pk, after.pk) in existing:
            raise already
        loop = precedence_cycle([*existing, (before.pk, after.pk)])
        if loop:
            meetings = {
                m.pk: m
                for m in MeetingRequest.objects.filter(pk__in=loop).select_related(
                    "requester__organisation", "requested__organisation"
                )
            }
            circle = " → ".join(_meeting_name(meetings[pk]) for pk in [*loop, loop[0]])
            raise ValidationError(
                {
                    "after": _(
                        "Meeting: this order would close a circle, so no schedule could keep "
                        "it: %(circle)s."
                    )
                    % {"circle": circle}
                }
            )
        with unique_or_raise(already):  # the same pair, saved by someone else just now
            precedence = MeetingPrecedence.objects.create(
                event=event, before=before, after=after, created_by=person_of(actor)
            )
        audit_record(
            actor=actor,
            action="create",
            target=precedence,
            summary=gettext_noop("%(before)s comes before %(after)s."),
            summary_params={"before": _meeting_name(before), "after": _meeting_name(after)},
        )
    return precedence


def precedence_remove(*, actor, precedence: MeetingPrecedence) -> None:
    """The organisers drop an order between two meetings."""
    require_organiser(actor, precedence.event)
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="delete",
            target=precedence,
            summary=gettext_noop("%(before)s no longer has to come before %(after)s."),
            summary_params={
                "before": _meeting_name(precedence.before),
                "after": _meeting_name(precedence.after),
            },
        )
        precedence.delete()


# --- scheduling -----------------------------------------------------------------------------


def schedule_start(
    *, actor, event: Event, mode: str = ScheduleRun.Mode.ALL, time_limit: int = 30
) -> ScheduleRun:
    """Queue a scheduling run; a background worker solves and writes the meetings' slots."""
    require_organiser(actor, event)
    if mode not in ScheduleRun.Mode.values:
        raise ValidationError({"mode": _("Mode: choose one of the listed modes.")})
    if not 1 <= int(time_limit) <= 600:
        raise ValidationError({"time_limit": _("Time limit: between 1 and 600 seconds.")})
    if event.booking == Event.BookingMode.SELF:
        # A run re-assigns every table of a slot, booked meetings' too, while their tables are
        # held (unique per slot and table) by the bookings: participants would find another
        # table than the one they booked. In self-booking mode the participants set meetings.
        raise ValidationError(
            {
                "mode": _(
                    "The participants book their own meetings at this event, so the scheduler "
                    "does not run: it would move booked meetings to other tables. To schedule "
                    "it, first choose “scheduled by the organisers” under how meetings are set."
                )
            }
        )
    under_way = ValidationError(
        {"mode": _("A scheduling run for this event is already under way; wait for it.")}
    )
    if ScheduleRun.objects.filter(event=event, status__in=ScheduleRun.UNDER_WAY).exists():
        raise under_way
    # The check above gives the message early; the database's unique constraint
    # (events_one_run_under_way) is what holds when two requests race past it.
    try:
        with transaction.atomic():
            run = ScheduleRun.objects.create(
                event=event, requested_by=person_of(actor), mode=mode, time_limit=time_limit
            )
            audit_record(actor=actor, action="create", target=run, summary=str(event))

            transaction.on_commit(lambda: tasks.schedule_event.enqueue(run.pk))
    except IntegrityError as exc:
        if not ScheduleRun.objects.filter(event=event, status__in=ScheduleRun.UNDER_WAY).exists():
            raise
        raise under_way from exc
    return run


def _notify_request(actor, request: MeetingRequest) -> None:
    """Tell the asked participant's people of a new request to meet, and the asking one's of
    its answer (in-app now, by e-mail once the write commits)."""
    event = request.event
    status = request.status
    told = request.requested if status == MeetingRequest.Status.PENDING else request.requester

    def write() -> Message:
        names = {
            "requester": bilingual(request.requester.organisation, "name"),
            "requested": bilingual(request.requested.organisation, "name"),
            "event": bilingual(event, "title"),
        }
        if status == MeetingRequest.Status.PENDING:
            subject = _("%(requester)s asks to meet %(requested)s at %(event)s") % names
            body = _("Accept or decline the request on the event's page.")
            if request.message:
                body += "\n\n" + request.message
        elif status == MeetingRequest.Status.ACCEPTED:
            subject = _("%(requested)s accepted to meet %(requester)s at %(event)s") % names
            body = _(
                "The meeting gets its time and table when the organisers schedule the event; "
                "until then your agenda lists it as to be scheduled."
            )
        else:
            subject = _("%(requested)s declined to meet %(requester)s at %(event)s") % names
            body = ""
        return Message(subject, body)

    notify(
        recipients=participant_people(told),
        actor=actor,
        url=reverse("events:event_detail", args=[event.pk]) + "#requests",
        write=write,
    )


def _notify_moved(request_ids: list[int]) -> None:
    transaction.on_commit(lambda: tasks.notify_meetings_moved.enqueue(request_ids))


def agendas_publish(*, actor, event: Event) -> Event:
    """Make the agendas final: participants see them, and later moves are notified."""
    require_organiser(actor, event)
    with transaction.atomic():
        event.agenda_published_at = timezone.now()
        event.save(update_fields=["agenda_published_at"])
        audit_record(actor=actor, action="publish", target=event, summary="agendas")
    return event


# --- after the event ------------------------------------------------------------------------


def outcome_record(
    *,
    actor,
    meeting: MeetingRequest,
    participant: Participant,
    outcome: str,
    note: str = "",
    rating=UNCHANGED,
    wants_follow_up=UNCHANGED,
    version: int | None = None,
) -> MeetingOutcome:
    """One side says what came of a meeting once it is over (its slot has ended): the
    outcome and a note, and, from the side's own members only, how useful it was (`rating`,
    1 to 5, or None) and whether they want a follow-up (`wants_follow_up`, or None); left
    UNCHANGED those two keep what was saved. Saying it again replaces it. `version` is the
    version of the outcome the person saw (0: none was recorded yet); pages and the API give
    it. If someone recorded one since, nothing is written."""
    require_acts_for(actor, participant)
    feedback = rating is not UNCHANGED or wants_follow_up is not UNCHANGED
    if feedback:
        require_gives_feedback(actor, participant)
    if participant.pk not in (meeting.requester_id, meeting.requested_id):
        raise ValidationError({"participant": _("This participant was not in that meeting.")})
    if not meeting.is_meeting:
        raise ValidationError({"meeting": _("This meeting was never placed in the schedule.")})
    slots = meeting.event.slots()
    if meeting.slot >= len(slots) or slots[meeting.slot].ends_at > clock.now():
        raise ValidationError(
            {"meeting": _("This meeting is not over yet: say what came of it once it has ended.")}
        )
    if outcome not in MeetingOutcome.Outcome.values:
        raise ValidationError({"outcome": _("Outcome: choose one of the listed outcomes.")})
    values = {
        "outcome": outcome,
        "note": (note or "").strip()[:2000],
        "recorded_by": person_of(actor),
    }
    values.update(_clean_feedback(outcome, rating, wants_follow_up))
    with transaction.atomic():
        recorded = (
            MeetingOutcome.objects.select_for_update()
            .filter(meeting=meeting, participant=participant)
            .first()
        )
        _check_version(recorded.version if recorded else 0, version, STALE_OUTCOME)
        if "wants_follow_up" not in values and outcome == MeetingOutcome.Outcome.FOLLOW_UP:
            # "follow up" as the outcome says the side wants one
            values["wants_follow_up"] = True
        if recorded is None:
            # two first records at once: the database's unique constraint decides
            with unique_or_raise(ValidationError({"version": str(STALE_OUTCOME)})):
                recorded = MeetingOutcome.objects.create(
                    meeting=meeting, participant=participant, **values
                )
            before = {}
        else:
            before = {name: getattr(recorded, name) for name in values if name != "recorded_by"}
            for name, value in values.items():
                setattr(recorded, name, value)
            recorded.version += 1
            recorded.save()
        changes = {"outcome": [before.get("outcome"), outcome]}
        for name in ("rating", "wants_follow_up"):
            if name in values and before.get(name) != values[name]:
                changes[name] = [before.get(name), values[name]]
        audit_record(actor=actor, action="update", target=recorded, changes=changes)
    return recorded


def _clean_feedback(outcome: str, rating, wants_follow_up) -> dict:
    """The rating (1 to 5, or None) and the wish for a follow-up (True, False or None) that
    were given, checked against the outcome."""
    cleaned, errors = {}, {}
    if rating is not UNCHANGED:
        if rating in (None, ""):
            cleaned["rating"] = None
        else:
            try:
                cleaned["rating"] = int(rating)
            except (TypeError, ValueError):
                cleaned["rating"] = 0
            if not 1 <= cleaned["rating"] <= 5:
                errors["rating"] = _(
                    "Rating: give a number from 1 (not useful) to 5 (very useful)."
                )
            elif outcome == MeetingOutcome.Outcome.NO_SHOW:
                errors["rating"] = _(
                    "Rating: the other side did not come, so there is no meeting to rate. "
                    "Leave the rating empty."
                )
    if wants_follow_up is not UNCHANGED:
        if wants_follow_up not in (None, True, False):
            errors["wants_follow_up"] = _("Follow-up: answer yes or no.")
        elif wants_follow_up is False and outcome == MeetingOutcome.Outcome.FOLLOW_UP:
            errors["wants_follow_up"] = _(
                "Follow-up: you chose “follow up” as the outcome. Answer yes, or choose "
                "another outcome."
            )
        else:
            cleaned["wants_follow_up"] = wants_follow_up
    if errors:
        raise ValidationError(errors)
    return cleaned


def follow_up_to_project(
    *,
    actor,
    meeting: MeetingRequest,
    participant: Participant,
    title_en: str,
    title_zh: str = "",
    sector: str = "other",
):
    """A follow-up becomes a cooperation project in the portfolio, with both sides as
    initiators; the project is recorded by the participant's organisation."""
    require_acts_for(actor, participant)
    outcome = MeetingOutcome.objects.filter(meeting=meeting, participant=participant).first()
    if outcome is None or outcome.outcome not in (
        MeetingOutcome.Outcome.FOLLOW_UP,
        MeetingOutcome.Outcome.AGREEMENT,
    ):
        raise ValidationError(
            {"outcome": _("Record a follow-up or an agreement for this meeting first.")}
        )
    already = ValidationError({"outcome": _("This follow-up is already a cooperation project.")})
    if outcome.project_id:
        raise already
    with transaction.atomic():
        # locked, so that two people making it a project at once make one project
        outcome = MeetingOutcome.objects.select_for_update().get(pk=outcome.pk)
        if outcome.project_id:
            raise already
        project = portfolio.project_create(
            actor=actor,
            owner=participant.organisation,
            data=portfolio.ProjectInput(
                title_en=title_en,
                title_zh=title_zh,
                kind="commercial",
                # an agreement reached at the meeting is signed; a follow-up is work under way.
                # Either way the project stays unpublished until the administration reviews it.
                status="signed"
                if outcome.outcome == MeetingOutcome.Outcome.AGREEMENT
                else "in_progress",
                sector=sector,
                parties=[
                    portfolio.PartyInput(organisation=side.organisation, role="initiator")
                    for side in (meeting.requester, meeting.requested)
                ],
            ),
        )
        outcome.project = project
        outcome.version += 1
        outcome.save(update_fields=["project", "version"])
        audit_record(
            actor=actor, action="update", target=outcome, changes={"project_id": [None, project.pk]}
        )
    return project
