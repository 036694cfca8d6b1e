"""Read-only views of the matchmaking events for the site's administrators. Changes go
through the event pages and `corridor.events.services`, which validate, check permissions,
audit, and tell participants when a published meeting moves."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from corridor.core.admin import ReadOnlyAdmin, ReadOnlyInline
from corridor.events.models import (
    Absence,
    BookedSlot,
    Booking,
    Event,
    Interpreter,
    MeetingOutcome,
    MeetingRequest,
    Participant,
    ScheduleRun,
    Session,
)


class SessionInline(ReadOnlyInline):
    model = Session


class InterpreterInline(ReadOnlyInline):
    model = Interpreter


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    list_display = (
        "title_en",
        "organiser",
        "registration",
        "booking",
        "is_published",
        "agenda_published_at",
        "is_synthetic",
    )
    list_filter = ("is_published", "registration", "booking", "is_synthetic")
    search_fields = ("title_en", "title_zh")
    inlines = [SessionInline, InterpreterInline]


@admin.register(Participant)
class ParticipantAdmin(ReadOnlyAdmin):
    list_display = (
        "organisation",
        "event",
        "status",
        "contact",
        "fixed_table",
        "checked_in_at",
        "checked_in_by",
    )
    list_filter = ("status", ("checked_in_at", admin.EmptyFieldListFilter))
    search_fields = ("organisation__name_en", "organisation__name_zh")
    list_select_related = ("organisation", "event", "contact", "checked_in_by")


@admin.register(MeetingRequest)
class MeetingRequestAdmin(ReadOnlyAdmin):
    list_display = (
        "requester",
        "requested",
        "event",
        "priority",
        "status",
        "slot",
        "table",
        "locked",
    )
    list_filter = ("status", "priority", "locked")
    list_select_related = ("requester__organisation", "requested__organisation", "event")
    readonly_fields = ("uid", "sequence")


@admin.register(ScheduleRun)
class ScheduleRunAdmin(ReadOnlyAdmin):
    list_display = (
        "event",
        "status",
        "mode",
        "placed",
        "breaks",
        "optimal",
        "seconds",
        "created_at",
    )
    list_filter = ("status", "mode")


@admin.register(MeetingOutcome)
class MeetingOutcomeAdmin(ReadOnlyAdmin):
    list_display = (
        "meeting",
        "participant",
        "outcome",
        "rating",
        "wants_follow_up",
        "project",
        "recorded_at",
    )
    list_filter = ("outcome", "rating", "wants_follow_up")


# --- the event day (events/replan.py, events/booking.py) ------------------------------------


@admin.register(Absence)
class AbsenceAdmin(ReadOnlyAdmin):
    list_display = ("participant", "event", "date", "from_slot", "marked_by", "marked_at")
    list_filter = ("date",)
    list_select_related = ("participant__organisation", "event", "marked_by")


class BookedSlotInline(ReadOnlyInline):
    model = BookedSlot


@admin.register(Booking)
class BookingAdmin(ReadOnlyAdmin):
    list_display = ("sides", "event", "slot", "table", "interpreter", "booked_by", "booked_at")
    list_select_related = (
        "meeting__requester__organisation",
        "meeting__requested__organisation",
        "event",
        "interpreter",
        "booked_by",
    )
    inlines = [BookedSlotInline]

    @admin.display(description=_("meeting"))
    def sides(self, booking: Booking) -> str:
        return f"{booking.meeting.requester} – {booking.meeting.requested}"


@admin.register(BookedSlot)
class BookedSlotAdmin(ReadOnlyAdmin):
    list_display = ("participant", "event", "slot", "booking")
    list_select_related = ("participant__organisation", "event", "booking")
