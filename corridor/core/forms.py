"""Form helpers every app shares."""

from django import forms
from django.core.exceptions import ValidationError

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
