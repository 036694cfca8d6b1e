"""Forms of the event pages. They parse and label; the services validate and decide (so a
slot a participant is not available in, or a pair that already has a meeting, comes back
from `corridor.events.services` with its own sentence, shown beside the field it names)."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from corridor.core.bilingual import LANGUAGE_LABELS, bilingual
from corridor.core.forms import (
    CheckedVersionForm,
    DateInput,
    NameField,
    ServiceErrorsMixin,
    TimeInput,
    TitleDescriptionForm,
    TitleForm,
    UncheckedMultipleChoiceField,
    blank_choice,
    field_values,
    text_field,
)
from corridor.events.models import Event, MeetingOutcome, MeetingRequest, ScheduleRun, Session


def _languages_field(**kwargs):
    return UncheckedMultipleChoiceField(
        label=_("Working languages"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=list(LANGUAGE_LABELS.items()),
        **kwargs,
    )


def _slots_field(help_text):
    """Per-slot checkboxes of the times someone cannot meet (choices: the event's slots)."""
    return forms.TypedMultipleChoiceField(
        label=_("Unavailable slots"),
        required=False,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        help_text=help_text,
    )


def _participant_name(participant) -> str:
    return bilingual(participant.organisation, "name")


def _organisation_name(organisation) -> str:
    return bilingual(organisation, "name")


def _choose(field, records, name, *, blank: bool = True, hide_single: bool = False) -> None:
    """The field chooses one of `records` by id, named by `name(record)`, and its cleaned
    value is the record itself. A choice between one thing is no choice (`hide_single`):
    it is sent without being shown."""
    by_pk = {record.pk: record for record in records}
    choices = [(record.pk, name(record)) for record in records]
    field.choices = (blank_choice("—") if blank else []) + choices
    field.coerce = lambda value: by_pk[int(value)]
    if hide_single and len(choices) == 1:
        field.widget = forms.HiddenInput()
        field.initial = choices[0][0]


def _radio(label, choices, initial):
    return forms.ChoiceField(
        label=label, choices=choices, initial=initial, widget=forms.RadioSelect
    )


def _choose_own(field, organisations) -> None:
    """One of the person's own organisations, not shown when they have one."""
    _choose(field, organisations, _organisation_name, blank=False, hide_single=True)


def _priority_field(initial: str):
    return _radio(_("Priority"), MeetingRequest.Priority.choices, initial)


# --- creating an event ----------------------------------------------------------------------


class EventForm(ServiceErrorsMixin, TitleDescriptionForm):
    field_order = ["organiser"]

    organiser = forms.TypedChoiceField(
        label=_("Organiser"),
        coerce=int,
        help_text=_("The organisation running the event; its members can manage it."),
    )
    venue_en = forms.CharField(label=_("Venue (English)"), required=False, max_length=300)
    venue_zh = forms.CharField(label=_("Venue (Chinese)"), required=False, max_length=300)
    slot_minutes = forms.IntegerField(
        label=_("Meeting length (minutes)"),
        initial=20,
        help_text=_("Every session is cut into meeting slots of this length."),
    )
    tables = forms.IntegerField(label=_("Tables"), initial=10)
    registration = _radio(
        _("Registration"), Event.Registration.choices, initial=Event.Registration.OPEN
    )
    fairness = forms.IntegerField(
        label=_("Fairness bound"),
        initial=2,
        help_text=_(
            "The idle breaks between two participants' meetings differ by at most this many."
        ),
    )

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        _choose_own(self.fields["organiser"], organisations)
        self.session_errors: list[str] = []

    def add_service_errors(self, error: ValidationError) -> None:
        """The sessions are a formset beside the form: their error goes above it."""
        if hasattr(error, "error_dict") and "sessions" in error.error_dict:
            self.session_errors = error.message_dict["sessions"]
            rest = {k: v for k, v in error.error_dict.items() if k != "sessions"}
            if not rest:
                return
            error = ValidationError(rest)
        super().add_service_errors(error)


class SessionForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=DateInput())
    part = forms.ChoiceField(
        label=_("Part of the day"), choices=blank_choice("—") + Session.Part.choices
    )
    starts_at = forms.TimeField(label=_("Starts at"), widget=TimeInput())
    ends_at = forms.TimeField(label=_("Ends at"), widget=TimeInput())


SessionFormSet = forms.formset_factory(SessionForm, extra=4, max_num=20, validate_max=True)


def sessions_of(formset) -> list[tuple]:
    """(date, part, start, end) of each filled-in row of a valid formset."""
    return [
        (row["date"], row["part"], row["starts_at"], row["ends_at"])
        for row in formset.cleaned_data
        if row
    ]


# --- participants ---------------------------------------------------------------------------


class RegisterForm(ServiceErrorsMixin, forms.Form):
    """A member registers their own organisation."""

    organisation = forms.TypedChoiceField(label=_("Organisation"), coerce=int)
    languages = _languages_field()

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        _choose_own(self.fields["organisation"], organisations)


class ParticipantAddForm(ServiceErrorsMixin, forms.Form):
    """The organisers register an organisation."""

    organisation = forms.TypedChoiceField(label=_("Organisation"), coerce=int)
    languages = _languages_field()
    fixed_table = forms.IntegerField(
        label=_("Fixed table"),
        required=False,
        help_text=_("For a host who stays at one table; leave empty otherwise."),
    )

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        _choose(self.fields["organisation"], organisations, _organisation_name)


class AvailabilityForm(CheckedVersionForm):
    """A participant's unavailable slots (by time) and working languages; the organisers
    also set a fixed table. It carries the version of the participant it was loaded with."""

    blocked_slots = _slots_field(_("Tick the times when nobody from the organisation can meet."))
    languages = _languages_field()
    fixed_table = forms.IntegerField(
        label=_("Fixed table"),
        required=False,
        help_text=_("For a host who stays at one table; leave empty otherwise."),
    )

    def __init__(self, *args, slot_choices, organising: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["blocked_slots"].choices = slot_choices
        self.organising = organising
        if not organising:
            del self.fields["fixed_table"]

    @staticmethod
    def initial_for(participant) -> dict:
        return {
            "version": participant.version,
            "blocked_slots": list(participant.blocked_slots or []),
            "languages": list(participant.languages or []),
            "fixed_table": participant.fixed_table,
        }

    def service_arguments(self) -> dict:
        """The fixed table only from the organisers (the form has it only for them)."""
        return field_values(self)


# --- interpreters ---------------------------------------------------------------------------


class InterpreterForm(ServiceErrorsMixin, forms.Form):
    """An interpreter the organisers add or change: names, the languages they interpret
    between and the slots they are not available."""

    name_en = NameField(label=_("Name (English)"), required=False, max_length=150)
    name_zh = NameField(label=_("Name (Chinese)"), required=False, max_length=150)
    languages = _languages_field(initial=list(LANGUAGE_LABELS))
    blocked_slots = _slots_field(_("Tick the times when the interpreter cannot work."))

    def __init__(self, *args, slot_choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["blocked_slots"].choices = slot_choices

    @staticmethod
    def initial_for(interpreter) -> dict:
        return {
            "name_en": interpreter.name_en,
            "name_zh": interpreter.name_zh,
            "languages": list(interpreter.languages or []),
            "blocked_slots": list(interpreter.blocked_slots or []),
        }


# --- meeting requests -----------------------------------------------------------------------


class RequestForm(ServiceErrorsMixin, forms.Form):
    """A participant asks another to meet."""

    requester = forms.TypedChoiceField(label=_("On behalf of"), coerce=int)
    requested = forms.TypedChoiceField(label=_("Meet"), coerce=int)
    priority = _priority_field(MeetingRequest.Priority.WOULD_LIKE)
    message = text_field(
        _("Message"),
        rows=2,
        max_length=2000,
        help_text=_("Say what you would like to talk about."),
    )

    def __init__(self, *args, own, others, **kwargs):
        super().__init__(*args, **kwargs)
        _choose(self.fields["requester"], own, _participant_name, blank=False, hide_single=True)
        _choose(self.fields["requested"], others, _participant_name)


class MeetingAddForm(ServiceErrorsMixin, forms.Form):
    """The organisers add a meeting directly."""

    requester = forms.TypedChoiceField(label=_("First participant"), coerce=int)
    requested = forms.TypedChoiceField(label=_("Second participant"), coerce=int)
    priority = _priority_field(MeetingRequest.Priority.MUST)

    def __init__(self, *args, participants, **kwargs):
        super().__init__(*args, **kwargs)
        _choose(self.fields["requester"], participants, _participant_name)
        _choose(self.fields["requested"], participants, _participant_name)


class RequestFilterForm(forms.Form):
    """The event page's filters on its meetings and requests: those of one participant
    (either side), those in one status."""

    who = forms.TypedChoiceField(label=_("Participant"), required=False, coerce=int)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=blank_choice(_("any status")) + MeetingRequest.Status.choices,
    )

    def __init__(self, *args, participants, **kwargs):
        super().__init__(*args, **kwargs)
        _choose(self.fields["who"], participants, _participant_name)
        self.fields["who"].choices = blank_choice(_("everyone")) + self.fields["who"].choices[1:]

    def keep(self, rows: list) -> list:
        """The rows that pass the filters (all of them when the filters are not valid)."""
        if not self.is_bound or not self.is_valid():
            return rows
        who, status = self.cleaned_data["who"], self.cleaned_data["status"]
        if who:
            rows = [row for row in rows if who.pk in (row.requester_id, row.requested_id)]
        if status:
            rows = [row for row in rows if row.status == status]
        return rows

    @property
    def active(self) -> bool:
        return self.is_bound and any(self.data.get(name) for name in self.fields)


class ConnectionForm(ServiceErrorsMixin, forms.Form):
    """A directory connection between two registered organisations becomes a meeting."""

    connection = forms.TypedChoiceField(label=_("Directory connection"), coerce=int)
    priority = _priority_field(MeetingRequest.Priority.MUST)

    def __init__(self, *args, connections, **kwargs):
        super().__init__(*args, **kwargs)
        _choose(self.fields["connection"], connections, self.between)

    @staticmethod
    def between(connection) -> str:
        return _("%(first)s and %(second)s") % {
            "first": bilingual(connection.from_profile.organisation, "name"),
            "second": bilingual(connection.to_profile.organisation, "name"),
        }


class PriorityForm(CheckedVersionForm):
    """A request's priority, with the version of the request the page showed."""

    priority = forms.ChoiceField(label=_("Priority"), choices=MeetingRequest.Priority.choices)


class AnswerForm(ServiceErrorsMixin, forms.Form):
    accept = forms.TypedChoiceField(
        label=_("Answer"),
        coerce=lambda value: value == "1",
        choices=[("1", _("Accept")), ("0", _("Decline"))],
    )


class LockForm(CheckedVersionForm):
    """Lock a meeting in a slot (chosen by its time), or unlock it (no slot), with the
    version of the request the page showed."""

    slot = forms.TypedChoiceField(label=_("Slot"), coerce=int, required=False, empty_value=None)

    def __init__(self, *args, slot_choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slot"].choices = blank_choice(_("not locked")) + slot_choices


class StatusForm(ServiceErrorsMixin, forms.Form):
    """No fields: carries an action's error (“already cancelled”) back to its row."""


class PrecedenceForm(ServiceErrorsMixin, forms.Form):
    """One meeting must come before (or after) another: the service is given the pair in
    time order."""

    BEFORE, AFTER = "before", "after"
    SERVICE_FIELDS = {"before": "other", "after": "other"}

    meeting = forms.TypedChoiceField(label=_("Meeting"))
    relation = forms.ChoiceField(
        label=_("Order"),
        choices=[(BEFORE, _("must come before")), (AFTER, _("must come after"))],
        initial=BEFORE,
    )
    other = forms.TypedChoiceField(label=_("Other meeting"))

    def __init__(self, *args, meetings, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("meeting", "other"):
            _choose(self.fields[name], meetings, _meeting_name)

    def pair(self) -> dict:
        data = self.cleaned_data
        if data["relation"] == self.AFTER:
            return {"before": data["other"], "after": data["meeting"]}
        return {"before": data["meeting"], "after": data["other"]}


def _meeting_name(meeting) -> str:
    return _("%(first)s with %(second)s") % {
        "first": _participant_name(meeting.requester),
        "second": _participant_name(meeting.requested),
    }


# --- scheduling -----------------------------------------------------------------------------


class ScheduleForm(ServiceErrorsMixin, forms.Form):
    mode = _radio(_("Mode"), ScheduleRun.Mode.choices, initial=ScheduleRun.Mode.ALL)
    time_limit = forms.IntegerField(
        label=_("Time limit (seconds)"),
        initial=30,
        help_text=_("The scheduler stops after this long with the best schedule it has found."),
    )


# --- after the event ------------------------------------------------------------------------


def _follow_up(value):
    return {"yes": True, "no": False}[value]


class OutcomeForm(CheckedVersionForm):
    """A side's feedback on a meeting: how useful it was, whether they want a follow-up,
    what came of it and a note, with the version of it the page showed (0: none). The
    rating and the follow-up are the side's own word: for the organisers (`feedback=False`)
    the form has neither, and the service keeps what the side said."""

    rating = forms.TypedChoiceField(
        label=_("How useful was the meeting? 1: not at all, 5: very"),
        choices=[(number, str(number)) for number in range(1, 6)],
        coerce=int,
        required=False,
        empty_value=None,
        widget=forms.RadioSelect,
    )
    wants_follow_up = forms.TypedChoiceField(
        label=_("Do you want a follow-up?"),
        choices=[("yes", _("yes")), ("no", _("no"))],
        coerce=_follow_up,
        required=False,
        empty_value=None,
        widget=forms.RadioSelect,
    )
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=blank_choice("—") + MeetingOutcome.Outcome.choices
    )
    note = text_field(_("Note"), rows=2, max_length=2000)

    def __init__(self, *args, feedback: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not feedback:
            del self.fields["rating"], self.fields["wants_follow_up"]

    @staticmethod
    def initial_for(outcome) -> dict:
        if outcome is None:
            return {"version": 0}
        follow_up = {True: "yes", False: "no"}.get(outcome.wants_follow_up)
        return {
            "version": outcome.version,
            "outcome": outcome.outcome,
            "note": outcome.note,
            "rating": outcome.rating,
            "wants_follow_up": follow_up,
        }


class ProjectForm(ServiceErrorsMixin, TitleForm):
    sector = forms.ChoiceField(label=_("Sector"))

    def __init__(self, *args, sectors, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sector"].choices = [(s.code, bilingual(s, "name")) for s in sectors]
