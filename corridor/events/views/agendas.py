"""A participant's agenda: the page, the printable PDF and the calendar file."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import icalendar
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from weasyprint import HTML

from corridor.core.bilingual import bilingual, is_chinese
from corridor.events import checkin, permissions, queries
from corridor.events.models import Event, Participant
from corridor.events.views.shared import (
    names,
    participant_of,
    slot_text,
    slots_of,
    visible_event,
)

PDF_LANGUAGES = ("en", "zh-hans")


def _agenda(request, pk: int, participant_pk: int):
    """(event, participant, items or None when the agendas are not out yet) for a person
    acting for the participant; PermissionDenied for others."""
    event = visible_event(request, pk)
    participant = participant_of(event, participant_pk)
    permissions.require_acts_for(request.user, participant, permissions.AGENDA_NOT_YOURS)
    shown = queries.may_organise(request.user, event) or event.agenda_published_at is not None
    items = queries.agenda_of(participant, slots_of(event)) if shown else None
    return event, participant, items


def _final_agenda(request, pk: int, participant_pk: int):
    """The agenda as a file: only once there is one to give."""
    event, participant, items = _agenda(request, pk, participant_pk)
    if items is None:
        raise Http404
    return event, participant, items


def checkin_url(request, participant: Participant) -> str:
    """The address the agenda's QR code holds: opened by an organiser, it checks the
    participant in (corridor/events/checkin.py)."""
    token = checkin.checkin_token(participant)
    return request.build_absolute_uri(
        reverse("events:checkin_scan", args=[participant.event_id, token])
    )


@login_required
def agenda(request, pk: int, participant_pk: int):
    event, participant, items = _agenda(request, pk, participant_pk)
    qr_title = _("QR code to check in %(name)s") % {"name": names(participant)}
    context = {
        "checkin_qr": checkin.checkin_qr(checkin_url(request, participant), title=qr_title),
        "event": event,
        "participant": participant,
        "items": items,
        "to_schedule": queries.unscheduled_of(participant) if items is not None else [],
        "meeting_count": sum(1 for item in items or [] if item.meeting),
        "organising": queries.may_organise(request.user, event),
    }
    return render(request, "events/agenda.html", context)


def _pdf_language(request) -> str:
    language = request.GET.get("lang") or get_language()
    if language not in PDF_LANGUAGES:
        language = "zh-hans" if is_chinese(language) else "en"
    return language


def agenda_html(
    event: Event, participant: Participant, items, language: str, to_schedule=(), checkin_at=""
) -> str:
    """The printable agenda, rendered in `language` (slot times included), with the accepted
    meetings that have no time yet (`to_schedule`) listed after the slots, and the QR code
    of the participant's check-in link (`checkin_at`), if given."""
    with translation.override(language):
        for item in items:
            item.slot.label = slot_text(item.slot)
        return render_to_string(
            "events/agenda_pdf.html",
            {
                "event": event,
                "participant": participant,
                "items": items,
                "to_schedule": to_schedule,
                "checkin_qr": checkin.checkin_qr_data_uri(checkin_at) if checkin_at else "",
                "language": language,
                "printed_on": timezone.localdate(),
            },
        )


@login_required
def agenda_pdf(request, pk: int, participant_pk: int):
    event, participant, items = _final_agenda(request, pk, participant_pk)
    language = _pdf_language(request)
    to_schedule = queries.unscheduled_of(participant)
    html = agenda_html(
        event, participant, items, language, to_schedule, checkin_url(request, participant)
    )
    content = HTML(string=html).write_pdf()
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'inline; filename="agenda-{event.pk}-{participant.pk}-{language}.pdf"'
    )
    return response


def _utc(moment: datetime) -> datetime:
    """A slot's wall-clock time (the event's local time) as an aware UTC time."""
    return moment.replace(tzinfo=ZoneInfo(settings.TIME_ZONE)).astimezone(UTC)


def agenda_calendar(event: Event, participant: Participant, items, language: str) -> bytes:
    """The agenda as an iCalendar file: one VEVENT per placed meeting (a meeting that has
    no time yet is not in it: an event needs a time).

    A meeting keeps its UID ("<uuid>@corridor") for life and its SEQUENCE grows whenever it
    moves, so importing the file again updates the meeting in place. Cancelled meetings are
    left out rather than sent with STATUS:CANCELLED: a cancelled meeting no longer has a
    slot, and a cancellation without its time would be an invalid event; the e-mail about
    the cancellation tells the people concerned, and calendars that subscribe to the file
    drop the meeting when it disappears.
    """
    with translation.override(language):
        calendar = icalendar.Calendar()
        calendar.add("prodid", "-//Corridor//Matchmaking agenda//EN")
        calendar.add("version", "2.0")
        calendar.add("calscale", "GREGORIAN")
        calendar.add("method", "PUBLISH")
        calendar.add(
            "x-wr-calname",
            _("%(event)s: agenda of %(name)s")
            % {"event": bilingual(event, "title"), "name": names(participant)},
        )
        venue = bilingual(event, "venue")
        for item in items:
            meeting = item.meeting
            if meeting is None:
                continue
            table = {"venue": venue, "table": meeting.table or "—"}
            entry = icalendar.Event()
            entry.add("uid", f"{meeting.uid}@corridor")
            entry.add("sequence", meeting.sequence)
            entry.add("dtstamp", meeting.updated_at.astimezone(UTC))
            entry.add("dtstart", _utc(item.slot.starts))
            entry.add("dtend", _utc(item.slot.ends))
            entry.add("summary", _("Meeting with %(name)s") % {"name": names(item.other)})
            entry.add(
                "location",
                (_("%(venue)s, table %(table)s") if venue else _("Table %(table)s")) % table,
            )
            description = [bilingual(event, "title")]
            if meeting.interpreter_id:
                description.append(
                    _("Interpreter: %(name)s") % {"name": bilingual(meeting.interpreter, "name")}
                )
            elif item.needs_interpreter:
                description.append(_("An interpreter is needed: the two sides share no language."))
            entry.add("description", "\n".join(description))
            entry.add("status", "CONFIRMED")
            calendar.add_component(entry)
        return calendar.to_ical()


@login_required
def agenda_ics(request, pk: int, participant_pk: int):
    event, participant, items = _final_agenda(request, pk, participant_pk)
    content = agenda_calendar(event, participant, items, _pdf_language(request))
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="agenda-{event.pk}-{participant.pk}.ics"'
    )
    return response
