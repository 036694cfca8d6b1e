"""The event lists as CSV or XLSX: the list of events (what the person sees), and, for an
event's organisers only, its participants, meetings, outcomes and leads."""

from django.contrib.auth.decorators import login_required
from django.utils import translation
from django.utils.translation import gettext as _

from corridor.core.exports import export_language, table_response
from corridor.events import exports, permissions
from corridor.events.views.shared import visible_event


def event_export(request, fmt: str):
    with translation.override(export_language(request)):
        headers, rows = exports.event_table(request.user)
        return table_response("events", headers, rows, fmt, title=_("Matchmaking events"))


def _event_list_export(request, pk: int, fmt: str, name: str, table, title):
    """One of an event's lists, for its organisers: 404 for an event the person may not see,
    403 for one they see but do not organise."""
    event = visible_event(request, pk)
    permissions.require_organiser(request.user, event)
    with translation.override(export_language(request)):
        headers, rows = table(event)
        return table_response(f"event-{event.pk}-{name}", headers, rows, fmt, title=str(title()))


@login_required
def participants_export(request, pk: int, fmt: str):
    return _event_list_export(
        request, pk, fmt, "participants", exports.participant_table, lambda: _("Participants")
    )


@login_required
def meetings_export(request, pk: int, fmt: str):
    return _event_list_export(
        request, pk, fmt, "meetings", exports.meeting_table, lambda: _("Meetings")
    )


@login_required
def outcomes_export(request, pk: int, fmt: str):
    return _event_list_export(
        request, pk, fmt, "outcomes", exports.outcome_table, lambda: _("Outcomes")
    )


@login_required
def leads_export(request, pk: int, fmt: str):
    return _event_list_export(request, pk, fmt, "leads", exports.lead_table, lambda: _("Leads"))
