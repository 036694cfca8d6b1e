"""Form helpers every app shares."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from corridor.core.validators import validate_name_text


class ServiceErrorsMixin:
    """Put a service's errors ({field: sentence}) beside the fields they name; an error about
    a field the form does not have goes above the form. `SERVICE_FIELDS` maps a service's
    field name to the form's where they differ."""

    SERVICE_FIELDS: dict[str, str] = {}

    def add_service_errors(self, error: ValidationError) -> None:
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for name, messages in error.message_dict.items():
            field_name = self.SERVICE_FIELDS.get(name, name)
            if field_name not in self.fields:
                field_name = None
            for message in messages:
                self.add_error(field_name, message)


class UncheckedMultipleChoiceField(forms.MultipleChoiceField):
    """Offers choices but leaves deciding what is valid to the service, whose sentence
    names the wrong value ("“ZZ” is not a country code")."""

    def valid_value(self, value) -> bool:
        return True


class NameField(forms.CharField):
    """A name or a title: one line of plain text, refusing control characters and
    bidirectional overrides with a sentence that names the field."""

    def validate(self, value) -> None:
        super().validate(value)
        validate_name_text(value, str(self.label or ""))


def field_values(form: forms.Form, *, leave_out: tuple[str, ...] = ()) -> dict:
    """The cleaned value of each of the form's fields (but those left out) by name: the
    keyword arguments of the service the form feeds, which a form completes with the records
    its choices stand for."""
    return {name: form.cleaned_data[name] for name in form.fields if name not in leave_out}


def blank_choice(label) -> list[tuple[str, str]]:
    """The empty choice, labelled ("all sectors", "—"), that goes before a list's choices."""
    return [("", label)]


def text_field(label, *, rows: int, required: bool = False, **options) -> forms.CharField:
    """A text of several lines, optional unless `required`."""
    return forms.CharField(
        label=label, required=required, widget=forms.Textarea(attrs={"rows": rows}), **options
    )


def web_address_field(label, **options) -> forms.URLField:
    """A web address, as long as the models keep them (https:// when none is typed)."""
    return forms.URLField(label=label, max_length=500, assume_scheme="https", **options)


class TitleForm(forms.Form):
    """The bilingual title of a record, for a form to inherit (list its own first fields in
    `field_order` to keep them above)."""

    title_en = NameField(label=_("Title (English)"), required=False, max_length=300)
    title_zh = NameField(label=_("Title (Chinese)"), required=False, max_length=300)


class TitleDescriptionForm(TitleForm):
    """The bilingual title and description of a record, for a form to inherit (list its own
    first fields in `field_order` to keep them above)."""

    description_en = text_field(_("Description (English)"), rows=3)
    description_zh = text_field(_("Description (Chinese)"), rows=3)


MISSING_VERSION = _(
    "The version of the record you opened is missing; reload the page and make your change again."
)


class VersionedFormMixin:
    """A form that edits a saved record carries the version it was loaded with (hidden), so
    that the service can refuse a save made over someone else's (optimistic locking). After a
    refused save the page shows the saved values (`saved_values`) and the hidden version
    becomes the saved one, so that saving again, knowingly, replaces them."""

    def check_version(self, editing: bool) -> None:
        if editing and self.cleaned_data.get("version") is None:
            self.add_error(None, MISSING_VERSION)

    def saved_values(self, initial: dict) -> list[tuple[str, str]]:
        """The saved record's values as (label, text) pairs, for the fields of this form."""
        rows = []
        for name, field in self.fields.items():
            if isinstance(field.widget, forms.HiddenInput) or name not in initial:
                continue
            value = initial[name]
            choices = dict(getattr(field, "choices", []) or [])
            if isinstance(value, list | tuple):
                text = ", ".join(str(choices.get(v, choices.get(str(v), v))) for v in value) or "—"
            elif isinstance(value, bool):
                text = _("yes") if value else _("no")
            elif value in (None, ""):
                text = "—"
            else:
                text = choices.get(value, choices.get(str(value), value))
            rows.append((str(field.label), str(text)))
        return rows

    def take_version(self, version: int) -> None:
        data = self.data.copy()
        data[self.add_prefix("version")] = str(version)
        self.data = data

    def show_saved(self, initial: dict) -> list[tuple[str, str]]:
        """After a stale save: the saved values to show beside the person's (`saved_values`),
        and the saved version taken, so that saving again knowingly replaces them."""
        rows = self.saved_values(initial)
        self.take_version(initial["version"])
        return rows


class VersionedForm(ServiceErrorsMixin, forms.Form):
    """A form that changes a saved record: it carries (hidden) the version the record was
    loaded with, and the service's refusal of a stale save goes above the form."""

    SERVICE_FIELDS = {"version": ""}
    version = forms.IntegerField(required=False, widget=forms.HiddenInput())


class CheckedVersionForm(VersionedFormMixin, VersionedForm):
    """A `VersionedForm` that refuses to go on without the version; after a refused save the
    view puts the values saved now in `saved_now`, for the page to show."""

    saved_now: list[tuple[str, str]] = []

    def clean(self):
        data = super().clean()
        self.check_version(editing=True)
        return data


class DateInput(forms.DateInput):
    """The browser's date picker (ISO dates)."""

    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class TimeInput(forms.TimeInput):
    """The browser's time picker (hours and minutes)."""

    input_type = "time"

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", **kwargs)
