"""The event pages: the list, an event with its participants and meetings, the scheduler,
agendas (page, PDF, calendar file), the table plan and the outcomes after the event."""

from django.urls import path

from corridor.events.views import agendas, events, meetings, outcomes, participants, schedule

app_name = "events"

urlpatterns = [
    path("", events.event_list, name="event_list"),
    path("new/", events.event_create, name="event_create"),
    path("<int:pk>/", events.event_detail, name="event_detail"),
    path("<int:pk>/publish/", events.event_publish, name="event_publish"),
    path("<int:pk>/register/", participants.participant_register, name="participant_register"),
    path("<int:pk>/participants/add/", participants.participant_add, name="participant_add"),
    path(
        "<int:pk>/participants/<int:participant_pk>/",
        participants.participant_edit,
        name="participant_edit",
    ),
    path("<int:pk>/requests/new/", meetings.request_create, name="request_create"),
    path(
        "<int:pk>/requests/<int:request_pk>/answer/",
        meetings.request_answer,
        name="request_answer",
    ),
    path(
        "<int:pk>/requests/<int:request_pk>/priority/",
        meetings.request_update,
        name="request_update",
    ),
    path(
        "<int:pk>/requests/<int:request_pk>/cancel/",
        meetings.request_cancel,
        name="request_cancel",
    ),
    path("<int:pk>/requests/<int:request_pk>/lock/", meetings.meeting_lock, name="meeting_lock"),
    path("<int:pk>/meetings/new/", meetings.meeting_add, name="meeting_add"),
    path(
        "<int:pk>/connections/",
        meetings.request_from_connection,
        name="request_from_connection",
    ),
    path("<int:pk>/schedule/", schedule.schedule, name="schedule"),
    path("<int:pk>/schedule/start/", schedule.schedule_start, name="schedule_start"),
    path("<int:pk>/agendas/publish/", schedule.agendas_publish, name="agendas_publish"),
    path("<int:pk>/agenda/<int:participant_pk>/", agendas.agenda, name="agenda"),
    path("<int:pk>/agenda/<int:participant_pk>.pdf", agendas.agenda_pdf, name="agenda_pdf"),
    path("<int:pk>/agenda/<int:participant_pk>.ics", agendas.agenda_ics, name="agenda_ics"),
    path("<int:pk>/tables/", schedule.table_plan, name="table_plan"),
    path("<int:pk>/outcomes/<int:participant_pk>/", outcomes.outcomes, name="outcomes"),
    path(
        "<int:pk>/outcomes/<int:participant_pk>/<int:meeting_pk>/",
        outcomes.outcome_record,
        name="outcome_record",
    ),
    path(
        "<int:pk>/outcomes/<int:participant_pk>/<int:meeting_pk>/project/",
        outcomes.outcome_project,
        name="outcome_project",
    ),
]
