"""The event pages: the list, an event with its participants and meetings, the scheduler,
agendas (page, PDF, calendar file), the table plan and the outcomes after the event."""

from django.urls import path

from corridor.events import views

app_name = "events"

urlpatterns = [
    path("", views.event_list, name="event_list"),
    path("new/", views.event_create, name="event_create"),
    path("<int:pk>/", views.event_detail, name="event_detail"),
    path("<int:pk>/publish/", views.event_publish, name="event_publish"),
    path("<int:pk>/register/", views.participant_register, name="participant_register"),
    path("<int:pk>/participants/add/", views.participant_add, name="participant_add"),
    path(
        "<int:pk>/participants/<int:participant_pk>/",
        views.participant_edit,
        name="participant_edit",
    ),
    path("<int:pk>/requests/new/", views.request_create, name="request_create"),
    path(
        "<int:pk>/requests/<int:request_pk>/answer/",
        views.request_answer,
        name="request_answer",
    ),
    path(
        "<int:pk>/requests/<int:request_pk>/priority/",
        views.request_update,
        name="request_update",
    ),
    path(
        "<int:pk>/requests/<int:request_pk>/cancel/",
        views.request_cancel,
        name="request_cancel",
    ),
    path("<int:pk>/requests/<int:request_pk>/lock/", views.meeting_lock, name="meeting_lock"),
    path("<int:pk>/meetings/new/", views.meeting_add, name="meeting_add"),
    path(
        "<int:pk>/connections/",
        views.request_from_connection,
        name="request_from_connection",
    ),
    path("<int:pk>/schedule/", views.schedule, name="schedule"),
    path("<int:pk>/schedule/start/", views.schedule_start, name="schedule_start"),
    path("<int:pk>/agendas/publish/", views.agendas_publish, name="agendas_publish"),
    path("<int:pk>/agenda/<int:participant_pk>/", views.agenda, name="agenda"),
    path("<int:pk>/agenda/<int:participant_pk>.pdf", views.agenda_pdf, name="agenda_pdf"),
    path("<int:pk>/agenda/<int:participant_pk>.ics", views.agenda_ics, name="agenda_ics"),
    path("<int:pk>/tables/", views.table_plan, name="table_plan"),
    path("<int:pk>/outcomes/<int:participant_pk>/", views.outcomes, name="outcomes"),
    path(
        "<int:pk>/outcomes/<int:participant_pk>/<int:meeting_pk>/",
        views.outcome_record,
        name="outcome_record",
    ),
    path(
        "<int:pk>/outcomes/<int:participant_pk>/<int:meeting_pk>/project/",
        views.outcome_project,
        name="outcome_project",
    ),
]
