"""The event lists as CSV or XLSX: the list of events (what the person sees), and, for an
event's organisers only, its participants, meetings, outcomes and leads."""

from django.contrib.auth.decorators import login_required
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from corridor.core.exports import export_language, table_response
from corridor.events import exports, permissions
from corridor.events.views.shared import visible_event


def event_export(request, fmt: str):
    with translation.override(export_language(request)):
        headers, rows = exports.event_table(request.user)
        return table_response("events", headers, rows, fmt, title=_("Matchmaking events"))


def _event_list_export(name: str, table, title):
    """The export view (named `<name>_export`) of one of an event's lists, `table(event)`,
    for its organisers: 404 for an event the person may not see, 403 for one they see but do
    not organise."""

    @login_required
    def export(request, pk: int, fmt: str):
        event = visible_event(request, pk)
        permissions.require_organiser(request.user, event)
        with translation.override(export_language(request)):
            headers, rows = table(event)
            return table_response(f"event-{event.pk}-{name}", headers, rows, fmt, title=str(title))

    export.__name__ = export.__qualname__ = f"{name}_export"
    return export


participants_export = _event_list_export(
    "participants", exports.participant_table, gettext_lazy("Participants")
)
meetings_export = _event_list_export("meetings", exports.meeting_table, gettext_lazy("Meetings"))
outcomes_export = _event_list_export("outcomes", exports.outcome_table, gettext_lazy("Outcomes"))
leads_export = _event_list_export("leads", exports.lead_table, gettext_lazy("Leads"))
