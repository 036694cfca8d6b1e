"""The results framework's page forms; the services decide what is valid, and their errors
land beside the fields (`ServiceErrorsMixin`)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from corridor.core.forms import (
    DateInput,
    NameField,
    ServiceErrorsMixin,
    TitleDescriptionForm,
    blank_choice,
    text_field,
    web_address_field,
)
from corridor.core.models import Sector
from corridor.results.models import Indicator, Side
from corridor.results.queries import SCOPES

SCOPE_LABELS = {
    "initiative": _("the initiative as a whole"),
    "project": _("a cooperation project"),
    "case": _("a facilitation case"),
    "event": _("a matchmaking event"),
}
STATUS_LABELS = {
    "on_track": _("on track"),
    "at_risk": _("at risk"),
    "off_track": _("off track"),
    "no_data": _("no actual yet"),
    "no_target": _("no target"),
}


class IndicatorFilterForm(forms.Form):
    q = forms.CharField(label=_("Words of the title"), required=False, max_length=200)
    scope = forms.ChoiceField(
        label=_("Measures"),
        required=False,
        choices=[*blank_choice(_("anything")), *((s, SCOPE_LABELS[s]) for s in SCOPES)],
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[*blank_choice(_("any")), *STATUS_LABELS.items()],
    )


class IndicatorForm(ServiceErrorsMixin, TitleDescriptionForm):
    field_order = ["scope_record", "title_en", "title_zh", "description_en", "description_zh"]

    scope_record = forms.ChoiceField(label=_("Measures"), required=True)
    unit_en = NameField(
        label=_("Unit (English)"),
        max_length=60,
        required=False,
        help_text=_("What is counted or measured: projects, US$, meetings, plants."),
    )
    unit_zh = NameField(label=_("Unit (Chinese)"), max_length=60, required=False)
    direction = forms.ChoiceField(label=_("Direction"), choices=Indicator.Direction.choices)
    baseline_value = forms.CharField(label=_("Baseline"), required=False, initial="0")
    baseline_on = forms.DateField(label=_("Baseline date"), required=False, widget=DateInput())
    by_side = forms.BooleanField(
        label=_("Targets and actuals by side (China, Singapore)"), required=False
    )
    by_sector = forms.BooleanField(label=_("Targets and actuals by sector"), required=False)
    feed = forms.ChoiceField(
        label=_("Actuals from"),
        choices=Indicator.Feed.choices,
        help_text=_(
            "A measure Corridor computes from its own records, so that nobody types "
            "the figure again; or recorded by hand, with evidence."
        ),
    )
    source_url = web_address_field(_("Source"), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, scope_choices=(), editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["title_en"].required = True
        self.fields["unit_en"].required = True
        if editing:
            del self.fields["scope_record"]
        else:
            self.fields["scope_record"].choices = scope_choices
            self.fields["scope_record"].help_text = _(
                "The initiative as a whole, or one of the projects, cases and events you may "
                "set indicators for."
            )


class _RowForm(ServiceErrorsMixin, forms.Form):
    period_start = forms.DateField(label=_("Period start"), widget=DateInput())
    period_end = forms.DateField(label=_("Period end"), widget=DateInput())
    value = forms.CharField(label=_("Value"), max_length=40)
    side = forms.ChoiceField(
        label=_("Side"),
        required=False,
        choices=blank_choice(_("total (both sides)")) + Side.choices,
    )
    sector = forms.ChoiceField(label=_("Sector"), required=False)

    def __init__(self, *args, indicator: Indicator, **kwargs):
        super().__init__(*args, **kwargs)
        if indicator.by_sector:
            self.fields["sector"].choices = blank_choice(_("total (all sectors)")) + [
                (s.code, s.name) for s in Sector.objects.all()
            ]
        else:
            del self.fields["sector"]
        if not indicator.by_side:
            del self.fields["side"]


class TargetForm(_RowForm):
    source_url = web_address_field(_("Source"), required=False)


class ActualForm(_RowForm):
    source_url = web_address_field(
        _("Evidence (address)"),
        required=False,
        help_text=_("A page or a document on the web that shows the value."),
    )
    document = forms.FileField(
        label=_("Evidence (document)"),
        required=False,
        help_text=_("Or upload it: PDF, PNG, JPEG, Word, Excel, text or CSV."),
    )
    note = text_field(_("Note"), rows=2, max_length=500)


class MeasureForm(ServiceErrorsMixin, forms.Form):
    period_start = forms.DateField(label=_("Period start"), widget=DateInput())
    period_end = forms.DateField(label=_("Period end"), widget=DateInput())
