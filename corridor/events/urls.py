"""The event pages: the list, an event with its participants, interpreters and meetings, the
scheduler, agendas (page, PDF, calendar file), the table plan, the event day (check-in, the
live board) and the outcomes and results after the meetings. Each URL is named after its view."""

from django.urls import path

from corridor.core.exports import export_paths
from corridor.events.views import (
    agendas,
    booking,
    checkin,
    events,
    exports,
    interpreters,
    meetings,
    outcomes,
    participants,
    replan,
    schedule,
)

app_name = "events"

EVENT = "<int:pk>/"
PARTICIPANT = EVENT + "participants/<int:participant_pk>/"
REQUEST = EVENT + "requests/<int:request_pk>/"
AGENDA = EVENT + "agenda/<int:participant_pk>"
OUTCOMES = EVENT + "outcomes/<int:participant_pk>/"

PAGES = [
    ("", events.event_list),
    ("new/", events.event_create),
    (EVENT, events.event_detail),
    (EVENT + "publish/", events.event_publish),
    (EVENT + "register/", participants.participant_register),
    (EVENT + "participants/add/", participants.participant_add),
    (PARTICIPANT, participants.participant_edit),
    (EVENT + "interpreters/add/", interpreters.interpreter_add),
    (EVENT + "interpreters/<int:interpreter_pk>/", interpreters.interpreter_edit),
    (EVENT + "requests/new/", meetings.request_create),
    (REQUEST + "answer/", meetings.request_answer),
    (REQUEST + "priority/", meetings.request_update),
    (REQUEST + "cancel/", meetings.request_cancel),
    (REQUEST + "lock/", meetings.meeting_lock),
    (EVENT + "meetings/new/", meetings.meeting_add),
    (EVENT + "connections/", meetings.request_from_connection),
    (EVENT + "schedule/", schedule.schedule),
    (EVENT + "schedule/start/", schedule.schedule_start),
    (EVENT + "schedule/order/", schedule.precedence_add),
    (EVENT + "schedule/order/<int:precedence_pk>/remove/", schedule.precedence_remove),
    (EVENT + "agendas/publish/", schedule.agendas_publish),
    (AGENDA + "/", agendas.agenda),
    (AGENDA + ".pdf", agendas.agenda_pdf),
    (AGENDA + ".ics", agendas.agenda_ics),
    (EVENT + "tables/", schedule.table_plan),
    (OUTCOMES, outcomes.outcomes),
    (OUTCOMES + "<int:meeting_pk>/", outcomes.outcome_record),
    (OUTCOMES + "<int:meeting_pk>/project/", outcomes.outcome_project),
    # the event day: late changes (views/replan.py) and self-booking (views/booking.py)
    (EVENT + "day/", replan.event_day),
    (PARTICIPANT + "absent/", replan.participant_absent),
    (REQUEST + "cancel-and-replan/", replan.meeting_cancel),
    (EVENT + "book/", booking.booking_page),
    (EVENT + "book/new/", booking.booking_book),
    (REQUEST + "unbook/", booking.booking_cancel),
    (EVENT + "book/mode/", booking.booking_mode),
    # the event day
    (EVENT + "checkin/", checkin.checkin_desk),
    (EVENT + "checkin/code/<str:token>/", checkin.checkin_scan),
    (EVENT + "checkin/<int:participant_pk>/", checkin.checkin_set),
    (EVENT + "board/", checkin.board),
    (EVENT + "results/", checkin.results),
]

# Lists as CSV or XLSX: <route>.csv and <route>.xlsx, named <view>_csv and <view>_xlsx.
EXPORTS = [
    ("export", exports.event_export),
    (EVENT + "participants/export", exports.participants_export),
    (EVENT + "meetings/export", exports.meetings_export),
    (EVENT + "outcomes/export", exports.outcomes_export),
    (EVENT + "leads/export", exports.leads_export),
]

urlpatterns = [path(route, view, name=view.__name__) for route, view in PAGES] + [
    url for route, view in EXPORTS for url in export_paths(route, view, view.__name__)
]
