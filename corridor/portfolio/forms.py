"""Forms of the portfolio's pages. They parse and show input; services decide and write."""

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from corridor.accounts.models import Organisation
from corridor.core.bilingual import bilingual
from corridor.core.models import Sector
from corridor.core.vocabularies import currency_choices
from corridor.portfolio import workflow
from corridor.portfolio.models import Innovation, Project
from corridor.portfolio.services import ProjectInput

YES_NO = [("", _("any")), ("yes", _("yes")), ("no", _("no"))]


def _blank(label) -> list[tuple[str, str]]:
    return [("", label)]


def sector_choices() -> list[tuple[str, str]]:
    return [(s.code, bilingual(s, "name")) for s in Sector.objects.all()]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class ProjectFilterForm(forms.Form):
    """The filters of the project list and the dashboard (GET). queries.project_filter
    applies the same parameters; this form shows them and explains a value it cannot use."""

    q = forms.CharField(label=_("Words in the title"), required=False)
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)
    sector = forms.ChoiceField(label=_("Sector"), required=False)
    side = forms.ChoiceField(label=_("Side"), required=False)
    year = forms.IntegerField(
        label=_("Signing year"), required=False, min_value=1900, max_value=2100
    )
    signed_from = forms.DateField(label=_("Signed from"), required=False, widget=DateInput())
    signed_to = forms.DateField(label=_("Signed until"), required=False, widget=DateInput())
    published = forms.ChoiceField(label=_("Published"), required=False, choices=YES_NO)
    synthetic = forms.ChoiceField(label=_("Synthetic demo data"), required=False, choices=YES_NO)
    owner = forms.TypedChoiceField(label=_("Recorded by"), required=False, coerce=int)

    def __init__(self, *args, projects=None, **kwargs):
        """`projects`: the projects the person may see; the "recorded by" choices are the
        organisations that recorded one of them (no choice when None)."""
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = _blank(_("all kinds")) + list(Project.Kind.choices)
        self.fields["status"].choices = _blank(_("all statuses")) + list(Project.Status.choices)
        self.fields["sector"].choices = _blank(_("all sectors")) + sector_choices()
        self.fields["side"].choices = _blank(_("all sides")) + list(Project.Side.choices)
        if projects is not None:
            organisations = Organisation.objects.filter(
                Exists(projects.order_by().filter(owner=OuterRef("pk")))
            )
            self.fields["owner"].choices = _blank(_("any organisation")) + sorted(
                ((str(o.pk), bilingual(o, "name")) for o in organisations),
                key=lambda choice: choice[1],
            )
        else:
            del self.fields["owner"]


class InnovationFilterForm(forms.Form):
    q = forms.CharField(label=_("Words in the title"), required=False)
    category = forms.ChoiceField(label=_("Category"), required=False)
    year = forms.IntegerField(
        label=_("Year adopted"), required=False, min_value=1900, max_value=2100
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = _blank(_("all categories")) + list(
            Innovation.Category.choices
        )


class ProjectForm(forms.Form):
    """Create or edit a project. The status changes through its own form (TransitionForm)
    once the project exists, so that every change is dated and explained."""

    owner = forms.TypedChoiceField(label=_("Recorded by (organisation)"), coerce=int)
    external_id = forms.CharField(
        label=_("External id"),
        required=False,
        max_length=150,
        help_text=_("A stable identifier such as an IATI identifier; leave empty to get one."),
    )
    title_en = forms.CharField(label=_("Title (English)"), required=False, max_length=300)
    title_zh = forms.CharField(label=_("Title (Chinese)"), required=False, max_length=300)
    description_en = forms.CharField(
        label=_("Description (English)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    description_zh = forms.CharField(
        label=_("Description (Chinese)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    kind = forms.ChoiceField(label=_("Kind"))
    status = forms.ChoiceField(label=_("Status when recorded"))
    sector = forms.ChoiceField(label=_("Sector"))
    value = forms.DecimalField(
        label=_("Value"), required=False, min_value=0, max_digits=20, decimal_places=2
    )
    currency = forms.ChoiceField(
        label=_("Currency"),
        required=False,
        help_text=_("Values are converted to US dollars with the rate of the signing date."),
    )
    signed_on = forms.DateField(label=_("Signing date"), required=False, widget=DateInput())
    location_en = forms.CharField(label=_("Location (English)"), required=False, max_length=200)
    location_zh = forms.CharField(label=_("Location (Chinese)"), required=False, max_length=200)
    parent_external_id = forms.CharField(
        label=_("Framework agreement (its external id)"),
        required=False,
        max_length=150,
        help_text=_("Fill in when this project is a sub-project of a framework agreement."),
    )
    source_url = forms.URLField(
        label=_("Source (web address)"), required=False, max_length=500, assume_scheme="https"
    )
    is_synthetic = forms.BooleanField(
        label=_("Synthetic demo record (not a real fact)"), required=False
    )

    # service error keys that are named differently on the form
    SERVICE_FIELDS = {"parent": "parent_external_id", "parties": None}

    def __init__(self, *args, owners=None, project: Project | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.project = project
        self.fields["kind"].choices = _blank(_("choose a kind")) + list(Project.Kind.choices)
        self.fields["status"].choices = list(Project.Status.choices)
        self.fields["sector"].choices = _blank(_("choose a sector")) + sector_choices()
        self.fields["currency"].choices = _blank(_("no value given")) + currency_choices()
        if project is None:
            self.fields["owner"].choices = [(str(o.pk), bilingual(o, "name")) for o in owners or []]
        else:
            # the owner, the external id and the status do not change through this form
            del self.fields["owner"], self.fields["external_id"], self.fields["status"]

    @classmethod
    def initial_for(cls, project: Project) -> dict:
        return {
            "title_en": project.title_en,
            "title_zh": project.title_zh,
            "description_en": project.description_en,
            "description_zh": project.description_zh,
            "kind": project.kind,
            "sector": project.sector.code,
            "value": project.value,
            "currency": project.currency,
            "signed_on": project.signed_on,
            "location_en": project.location_en,
            "location_zh": project.location_zh,
            "parent_external_id": project.parent.external_id if project.parent else "",
            "source_url": project.source_url,
            "is_synthetic": project.is_synthetic,
        }

    def project_input(self) -> ProjectInput:
        data = self.cleaned_data
        return ProjectInput(
            title_en=data["title_en"],
            title_zh=data["title_zh"],
            description_en=data["description_en"],
            description_zh=data["description_zh"],
            kind=data["kind"],
            status=self.project.status if self.project else data["status"],
            sector=data["sector"],
            value=data["value"],
            currency=data["currency"],
            signed_on=data["signed_on"],
            location_en=data["location_en"],
            location_zh=data["location_zh"],
            parent_external_id=data["parent_external_id"],
            external_id=self.project.external_id if self.project else data["external_id"],
            is_synthetic=data["is_synthetic"],
            source_url=data["source_url"],
        )

    def add_service_errors(self, error: ValidationError) -> None:
        """Put a service's errors ({field: message}) beside the fields they name."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for name, messages in error.message_dict.items():
            field_name = self.SERVICE_FIELDS.get(name, name)
            if field_name not in self.fields:
                field_name = None
            for message in messages:
                self.add_error(field_name, message)


class TransitionForm(forms.Form):
    to_status = forms.ChoiceField(label=_("New status"))
    on = forms.DateField(label=_("Date of the change"), widget=DateInput())
    reason = forms.CharField(
        label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, project: Project, **kwargs):
        kwargs.setdefault("initial", {"on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        labels = dict(Project.Status.choices)
        self.fields["to_status"].choices = [
            (status, labels[status]) for status in workflow.allowed_next(project.status)
        ]

    def add_service_errors(self, error: ValidationError) -> None:
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for name, messages in error.message_dict.items():
            for message in messages:
                self.add_error(name if name in self.fields else None, message)
