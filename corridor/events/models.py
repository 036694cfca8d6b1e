"""Matchmaking events: sessions cut into meeting slots, registered participants with their
availability and languages, meeting requests (which become meetings once accepted and
placed by the scheduler), scheduling runs, interpreters, and each side's outcome."""

import uuid
from datetime import datetime, timedelta
from functools import partial

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from corridor.accounts import roles
from corridor.accounts.models import Organisation
from corridor.core.bilingual import BilingualNameMixin
from corridor.core.models import (
    BilingualDescribed,
    Created,
    Stamped,
    belongs_to,
    optional_link,
    person_field,
    synthetic_field,
    version_field,
)
from corridor.directory.models import Connection
from corridor.portfolio.models import Project


class EventQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Published events for everyone; drafts for the initiative's facilitators and the
        organiser's members."""
        if roles.is_facilitator(user):
            return self
        published = Q(is_published=True)
        if getattr(user, "is_authenticated", False):
            return self.filter(published | Q(organiser_id__in=roles.organisation_ids(user)))
        return self.filter(published)


class Event(BilingualDescribed, Created):
    class Registration(models.TextChoices):
        OPEN = "open", _("open to members")
        INVITATION = "invitation", _("by invitation")

    class BookingMode(models.TextChoices):
        ORGANISER = "organiser", _("scheduled by the organisers")
        SELF = "self", _("booked by the participants")

    organiser = models.ForeignKey(
        Organisation, verbose_name=_("organiser"), on_delete=models.PROTECT, related_name="+"
    )
    venue_en = models.CharField(_("venue (English)"), max_length=300, blank=True)
    venue_zh = models.CharField(_("venue (Chinese)"), max_length=300, blank=True)
    slot_minutes = models.PositiveSmallIntegerField(_("meeting length (minutes)"), default=20)
    tables = models.PositiveSmallIntegerField(_("tables"), default=10)
    registration = models.CharField(
        _("registration"), max_length=12, choices=Registration.choices, default=Registration.OPEN
    )
    fairness = models.PositiveSmallIntegerField(
        _("fairness bound"),
        default=2,
        help_text=_("The breaks of any two participants differ by at most this many."),
    )
    is_published = models.BooleanField(_("published"), default=False)
    booking = models.CharField(
        _("how meetings are set"),
        max_length=12,
        choices=BookingMode.choices,
        default=BookingMode.ORGANISER,
        help_text=_(
            "Scheduled by the organisers, or booked by the participants themselves (open "
            "networking events)."
        ),
    )
    agenda_published_at = models.DateTimeField(_("agendas published at"), null=True, blank=True)
    is_synthetic = synthetic_field()

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        verbose_name = _("matchmaking event")
        verbose_name_plural = _("matchmaking events")

    def __str__(self) -> str:
        return self.title_en or self.title_zh

    def slots(self) -> list["Slot"]:
        """Every meeting slot of the event in time order; a slot's index is its number."""
        result = []
        for session in self.sessions.all():
            start = datetime.combine(session.date, session.starts_at)
            end = datetime.combine(session.date, session.ends_at)
            step = timedelta(minutes=self.slot_minutes)
            while start + step <= end:
                result.append(Slot(len(result), session, start, start + step))
                start += step
        return result


_in_event = partial(belongs_to, Event, _("event"))  # the event a row belongs to


class Session(models.Model):
    """A block of consecutive meeting slots on one day (a morning or an afternoon)."""

    class Part(models.TextChoices):
        MORNING = "am", _("morning")
        AFTERNOON = "pm", _("afternoon")

    event = _in_event("sessions")
    date = models.DateField(_("date"))
    part = models.CharField(_("part of the day"), max_length=2, choices=Part.choices)
    starts_at = models.TimeField(_("starts at"))
    ends_at = models.TimeField(_("ends at"))

    class Meta:
        ordering = ["date", "starts_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["event", "date", "part"], name="session_unique_part"),
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="session_ends_after_start"
            ),
        ]
        verbose_name = _("session")
        verbose_name_plural = _("sessions")


class Slot:
    """One meeting slot (not stored: computed from the sessions)."""

    def __init__(self, index: int, session: Session, starts: datetime, ends: datetime):
        self.index, self.session, self.starts, self.ends = index, session, starts, ends

    @property
    def starts_at(self) -> datetime:
        return timezone.make_aware(self.starts)

    @property
    def ends_at(self) -> datetime:
        return timezone.make_aware(self.ends)

    def __repr__(self) -> str:
        return f"Slot({self.index}, {self.starts:%Y-%m-%d %H:%M})"


class Participant(models.Model):
    """An organisation registered for an event, with its contact person, availability,
    working languages and (for a host) a fixed table."""

    class Status(models.TextChoices):
        INVITED = "invited", _("invited")
        REGISTERED = "registered", _("registered")
        CANCELLED = "cancelled", _("cancelled")

    event = _in_event("participants")
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="+"
    )
    contact = person_field(_("contact person"), blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.REGISTERED
    )
    languages = models.JSONField(_("working languages"), default=list, blank=True)
    blocked_slots = models.JSONField(
        _("unavailable slots"), default=list, blank=True, help_text=_("Slot numbers, from 0.")
    )
    fixed_table = models.PositiveSmallIntegerField(
        _("fixed table"), null=True, blank=True, help_text=_("A host who stays at one table.")
    )
    registered_at = models.DateTimeField(_("registered at"), auto_now_add=True)
    version = version_field()
    # The event day (corridor/events/checkin.py): when the participant arrived, and who let
    # them in. Not part of `version`: checking in changes nothing a form edits.
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    checked_in_by = person_field(_("checked in by"), blank=True)

    class Meta:
        ordering = ["event", "organisation__name_en", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "organisation"], name="participant_once_per_event"
            )
        ]
        verbose_name = _("participant")
        verbose_name_plural = _("participants")

    def __str__(self) -> str:
        return str(self.organisation)


def interpreter_languages() -> list[str]:
    """An interpreter's languages unless told otherwise: English and Chinese."""
    return ["en", "zh"]


class Interpreter(BilingualNameMixin, models.Model):
    """An interpreter working at the event: the languages they interpret between and the
    slots they are not available. The scheduler gives each meeting whose sides share no
    working language an interpreter who speaks a language of each side, one meeting per
    interpreter and slot (planning.py)."""

    event = _in_event("interpreters")
    name_en = models.CharField(_("name (English)"), max_length=150)
    name_zh = models.CharField(_("name (Chinese)"), max_length=150, blank=True)
    languages = models.JSONField(_("working languages"), default=interpreter_languages, blank=True)
    blocked_slots = models.JSONField(
        _("unavailable slots"), default=list, blank=True, help_text=_("Slot numbers, from 0.")
    )

    class Meta:
        ordering = ["event", "id"]
        verbose_name = _("interpreter")
        verbose_name_plural = _("interpreters")


class MeetingRequest(Stamped):
    """A asks to meet B. Once B accepts (or an organiser adds it) it is a meeting the scheduler
    places: `slot` and `table` are then set. A pending request blocks no slot."""

    class Priority(models.TextChoices):
        MUST = "must", _("must meet")
        WOULD_LIKE = "would_like", _("would like to meet")

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting for an answer")
        ACCEPTED = "accepted", _("accepted")
        DECLINED = "declined", _("declined")
        CANCELLED = "cancelled", _("cancelled")

    WEIGHTS = {Priority.MUST: 3, Priority.WOULD_LIKE: 1}

    event = _in_event("requests")
    requester = belongs_to(Participant, _("asked by"), "+")
    requested = belongs_to(Participant, _("asked to meet"), "+")
    priority = models.CharField(
        _("priority"), max_length=12, choices=Priority.choices, default=Priority.WOULD_LIKE
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    message = models.TextField(_("message"), blank=True)
    added_by_organiser = models.BooleanField(_("added by the organiser"), default=False)
    connection = optional_link(Connection, _("directory connection"), on_delete=models.SET_NULL)
    # The meeting, once placed
    slot = models.PositiveSmallIntegerField(_("slot"), null=True, blank=True)
    table = models.PositiveSmallIntegerField(_("table"), null=True, blank=True)
    locked = models.BooleanField(
        _("locked"), default=False, help_text=_("The scheduler keeps a locked meeting in its slot.")
    )
    interpreter = optional_link(
        Interpreter, _("interpreter"), on_delete=models.SET_NULL, related_name="meetings"
    )
    unplaced_reason = models.CharField(_("why not placed"), max_length=40, blank=True)
    # Calendar files: one stable UID per meeting; the sequence grows when it moves.
    uid = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    sequence = models.PositiveIntegerField(default=0, editable=False)
    version = version_field(
        _("Raised on every save, the scheduler's included (optimistic locking).")
    )

    class Meta:
        ordering = ["event", "slot", "table", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "requester", "requested"],
                condition=Q(status__in=["pending", "accepted"]),
                name="meeting_request_one_open_per_pair",
            ),
            models.CheckConstraint(
                condition=~Q(requester=models.F("requested")), name="meeting_request_not_self"
            ),
        ]
        verbose_name = _("meeting request")
        verbose_name_plural = _("meeting requests")

    @property
    def weight(self) -> int:
        return self.WEIGHTS[self.priority]

    @property
    def needs_interpreter(self) -> bool:
        """The two sides share no working language (both stated)."""
        first = set(self.requester.languages or [])
        second = set(self.requested.languages or [])
        return bool(first and second and not first & second)

    @property
    def is_meeting(self) -> bool:
        return self.status == self.Status.ACCEPTED and self.slot is not None

    def set_cancelled(self) -> bool:
        """Cancel it in memory (the caller saves, in its transaction): no slot, table or
        interpreter any more, unlocked, a new version; a meeting that had a slot grows its
        calendar SEQUENCE, so calendars drop it. Answers whether it had a slot."""
        had_slot = self.slot is not None
        self.status = self.Status.CANCELLED
        self.slot = self.table = self.interpreter = None
        self.locked = False
        if had_slot:
            self.sequence += 1
        self.version += 1
        return had_slot


class MeetingPrecedence(Created):
    """One meeting must come before another of the same event (a delegation meets the host
    agency before the firms; a supplier audit before the contract talk): the scheduler puts
    `before` in an earlier slot than `after`. Only precedences between accepted meetings
    reach the scheduler. Same event and no cycle are the service's checks (a database check
    cannot look through the two foreign keys); not self and once per pair are the database's."""

    event = _in_event("precedences")
    before = belongs_to(MeetingRequest, _("meeting first"), "followed_by")
    after = belongs_to(MeetingRequest, _("meeting after it"), "preceded_by")
    created_by = person_field(_("added by"))

    class Meta:
        ordering = ["event", "id"]
        constraints = [
            models.UniqueConstraint(fields=["before", "after"], name="meeting_precedence_once"),
            models.CheckConstraint(
                condition=~Q(before=models.F("after")), name="meeting_precedence_not_self"
            ),
        ]
        verbose_name = _("meeting order")
        verbose_name_plural = _("meeting orders")

    def __str__(self) -> str:
        return f"{self.before_id} < {self.after_id}"


class ScheduleRun(Created):
    """One run of the scheduler over an event's accepted meetings, with its progress."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    class Mode(models.TextChoices):
        ALL = "all", _("place every accepted meeting")
        MAX = "max", _("place as many as fit, must-meet first")

    event = _in_event("runs")
    requested_by = person_field(_("started by"))
    mode = models.CharField(_("mode"), max_length=4, choices=Mode.choices, default=Mode.ALL)
    time_limit = models.PositiveSmallIntegerField(_("time limit (seconds)"), default=30)
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.QUEUED
    )
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    placed = models.PositiveIntegerField(_("meetings placed"), default=0)
    unplaced = models.JSONField(_("meetings not placed"), default=dict, blank=True)
    breaks = models.PositiveIntegerField(_("breaks"), null=True, blank=True)
    bound = models.FloatField(_("bound"), null=True, blank=True)
    optimal = models.BooleanField(_("proven optimal"), default=False)
    weight = models.PositiveIntegerField(_("placed weight"), null=True, blank=True)
    moved = models.PositiveIntegerField(_("meetings moved"), default=0)
    seconds = models.FloatField(_("seconds"), null=True, blank=True)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    # How many workers died while solving this run (corridor/core/tasks.py): it is queued
    # again until settings.TASKS_MAX_ATTEMPTS, then fails with the error "worker_lost".
    interruptions = models.PositiveSmallIntegerField(_("interruptions"), default=0)

    UNDER_WAY = (Status.QUEUED, Status.RUNNING)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("scheduling run")
        verbose_name_plural = _("scheduling runs")
        constraints = [
            # One run under way per event, guaranteed by the database (a partial unique
            # index on SQLite and PostgreSQL), not only checked by the service.
            models.UniqueConstraint(
                fields=["event"],
                condition=Q(status__in=["queued", "running"]),
                name="events_one_run_under_way",
            )
        ]


class MeetingOutcome(models.Model):
    """What one side says came of a meeting."""

    class Outcome(models.TextChoices):
        NO_SHOW = "no_show", _("the other side did not come")
        FOLLOW_UP = "follow_up", _("follow up")
        AGREEMENT = "agreement", _("agreement reached")
        NOTHING = "nothing", _("no further interest")

    meeting = belongs_to(MeetingRequest, _("meeting"), "outcomes")
    participant = belongs_to(Participant, _("recorded for"), "+")
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices)
    # The side's feedback once the meeting is over (only the side's own members give it):
    # how useful it was, 1 (not at all) to 5 (very), and whether they want to follow it up.
    # An agreement can still want a follow-up, so the wish is a field of its own.
    rating = models.PositiveSmallIntegerField(_("rating"), null=True, blank=True)
    wants_follow_up = models.BooleanField(_("wants a follow-up"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    project = optional_link(Project, _("cooperation project"), on_delete=models.SET_NULL)
    recorded_by = person_field(_("recorded by"))
    recorded_at = models.DateTimeField(_("recorded at"), auto_now=True)
    version = version_field()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "participant"], name="outcome_once_per_side"
            ),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                name="outcome_rating_1_to_5",
            ),
        ]
        verbose_name = _("meeting outcome")
        verbose_name_plural = _("meeting outcomes")


# --- the event day: absences and self-booking (events/replan.py, events/booking.py) ----------


class Absence(models.Model):
    """A participant who did not come (or left): absent for the rest of that day. Marking it
    re-plans the rest of the day (events/replan.py)."""

    event = _in_event("absences")
    participant = belongs_to(Participant, _("participant"), "+")
    date = models.DateField(_("date"))
    from_slot = models.PositiveSmallIntegerField(_("from slot"))
    marked_by = person_field(_("marked by"))
    marked_at = models.DateTimeField(_("marked at"))

    class Meta:
        ordering = ["event", "date", "participant"]
        constraints = [
            models.UniqueConstraint(fields=["participant", "date"], name="absence_once_per_day")
        ]
        verbose_name = _("absence")
        verbose_name_plural = _("absences")


class Booking(models.Model):
    """A meeting that a participant booked directly (self-booking events): its slot, table
    and, when its sides share no language, interpreter. The database refuses two bookings
    of one table, or of one interpreter, in one slot."""

    event = _in_event("bookings")
    meeting = models.OneToOneField(
        MeetingRequest, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="booking"
    )
    slot = models.PositiveSmallIntegerField(_("slot"))
    table = models.PositiveSmallIntegerField(_("table"))
    interpreter = optional_link(Interpreter, _("interpreter"), on_delete=models.SET_NULL)
    booked_by = person_field(_("booked by"))
    booked_at = models.DateTimeField(_("booked at"), auto_now_add=True)

    class Meta:
        ordering = ["event", "slot", "table"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "slot", "table"], name="booking_one_meeting_per_table"
            ),
            models.UniqueConstraint(
                fields=["event", "slot", "interpreter"],
                condition=Q(interpreter__isnull=False),
                name="booking_one_meeting_per_interpreter",
            ),
        ]
        verbose_name = _("booking")
        verbose_name_plural = _("bookings")


class BookedSlot(models.Model):
    """One side of a booking: the participant is taken in that slot. The database refuses a
    second booking of one participant in one slot, so of two concurrent bookings exactly
    one wins."""

    event = _in_event()
    participant = belongs_to(Participant, _("participant"), "+")
    slot = models.PositiveSmallIntegerField(_("slot"))
    booking = belongs_to(Booking, _("booking"), "sides")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["event", "participant", "slot"], name="booked_slot_once_per_participant"
            )
        ]
        verbose_name = _("booked slot")
        verbose_name_plural = _("booked slots")
