"""Forms of the portfolio's pages. They parse and show input; services decide and write."""

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Case, Exists, OuterRef, Q, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from corridor.accounts.models import Organisation
from corridor.core.bilingual import bilingual, is_chinese
from corridor.core.forms import (
    DateInput,
    ServiceErrorsMixin,
    TitleDescriptionForm,
    VersionedForm,
    VersionedFormMixin,
    blank_choice,
    text_field,
    web_address_field,
)
from corridor.core.models import Sector
from corridor.core.vocabularies import country_choices, country_name, currency_choices
from corridor.portfolio import workflow
from corridor.portfolio.models import Innovation, Project, ProjectParty, PublishedFigure
from corridor.portfolio.queries import ProjectFilter
from corridor.portfolio.services import (
    REVISION_FIELDS,
    PartyInput,
    ProjectInput,
    ReplicationInput,
    input_of,
)

YES_NO = [("", _("any")), ("yes", _("yes")), ("no", _("no"))]


def sector_choices() -> list[tuple[str, str]]:
    return [(s.code, bilingual(s, "name")) for s in Sector.objects.all()]


class RecordForm(VersionedFormMixin, VersionedForm):
    """A form that records a new record or changes one (in the attribute `record_attribute`,
    None for a new one): a change needs the version it was loaded with, and a stale version
    is shown above the form."""

    record_attribute = ""

    def clean(self):
        data = super().clean()
        self.check_version(getattr(self, self.record_attribute) is not None)
        return data


class ProjectFilterForm(forms.Form):
    """The filters of the project list and the dashboard (GET): the form shows them and
    explains a value it cannot use; `project_filter` gives what the list is narrowed to."""

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
        self.fields["kind"].choices = blank_choice(_("all kinds")) + list(Project.Kind.choices)
        self.fields["status"].choices = blank_choice(_("all statuses")) + list(
            Project.Status.choices
        )
        self.fields["sector"].choices = blank_choice(_("all sectors")) + sector_choices()
        self.fields["side"].choices = blank_choice(_("all sides")) + list(Project.Side.choices)
        if projects is not None:
            organisations = Organisation.objects.filter(
                Exists(projects.order_by().filter(owner=OuterRef("pk")))
            )
            self.fields["owner"].choices = blank_choice(_("any organisation")) + sorted(
                ((str(o.pk), bilingual(o, "name")) for o in organisations),
                key=lambda choice: choice[1],
            )
        else:
            del self.fields["owner"]

    def project_filter(self) -> ProjectFilter:
        """The filters understood from the parameters (a value not understood is left out,
        as the list leaves it out, while the form says why)."""
        return ProjectFilter.from_params(self.data)


class InnovationFilterForm(forms.Form):
    q = forms.CharField(label=_("Words in the title"), required=False)
    category = forms.ChoiceField(label=_("Category"), required=False)
    year = forms.IntegerField(
        label=_("Year adopted"), required=False, min_value=1900, max_value=2100
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = blank_choice(_("all categories")) + list(
            Innovation.Category.choices
        )


class ProjectForm(RecordForm, TitleDescriptionForm):
    """Create or edit a project. The status changes through its own form (TransitionForm)
    once the project exists, so that every change is dated and explained."""

    field_order = ["version", "owner", "external_id"]  # then the title and description
    record_attribute = "project"

    owner = forms.TypedChoiceField(label=_("Recorded by (organisation)"), coerce=int)
    external_id = forms.CharField(
        label=_("External id"),
        required=False,
        max_length=150,
        help_text=_("A stable identifier such as an IATI identifier; leave empty to get one."),
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
    source_url = web_address_field(_("Source (web address)"), required=False)
    is_synthetic = forms.BooleanField(
        label=_("Synthetic demo record (not a real fact)"), required=False
    )

    # service error keys that are named differently on the form (a stale version goes above)
    SERVICE_FIELDS = {"parent": "parent_external_id", "parties": None, "version": None}

    def __init__(self, *args, owners=None, project: Project | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.project = project
        self.fields["kind"].choices = blank_choice(_("choose a kind")) + list(Project.Kind.choices)
        self.fields["status"].choices = list(Project.Status.choices)
        self.fields["sector"].choices = blank_choice(_("choose a sector")) + sector_choices()
        # a stored currency that is no longer offered (a fund, gold) stays readable
        stored = self.initial.get("currency") or (project.currency if project else "")
        self.fields["currency"].choices = blank_choice(_("no value given")) + currency_choices(
            keep=stored or ""
        )
        if project is None:
            self.fields["owner"].choices = [(str(o.pk), bilingual(o, "name")) for o in owners or []]
        else:
            # the owner, the external id and the status do not change through this form
            del self.fields["owner"], self.fields["external_id"], self.fields["status"]

    @classmethod
    def initial_for(cls, project: Project, data: ProjectInput | None = None) -> dict:
        """The form's values: the project's, or `data` (a pending revision's) when given."""
        data = data or input_of(project)
        return {"version": project.version} | {
            name: getattr(data, name) for name in REVISION_FIELDS
        }

    def project_input(self) -> ProjectInput:
        values = {name: self.cleaned_data[name] for name in REVISION_FIELDS if name in self.fields}
        if self.project:  # neither changes through this form
            values.update(status=self.project.status, external_id=self.project.external_id)
        return ProjectInput(**values)


class ProjectRevisionForm(forms.Form):
    """An administrator's decision on a proposed change: the reason of a rejection."""

    note = text_field(
        _("Reason (sent to the person who proposed the change)"), rows=2, max_length=500
    )


class TransitionForm(ServiceErrorsMixin, forms.Form):
    to_status = forms.ChoiceField(label=_("New status"))
    on = forms.DateField(label=_("Date of the change"), widget=DateInput())
    reason = text_field(_("Reason"), rows=3, required=True, max_length=500)

    def __init__(self, *args, project: Project, **kwargs):
        kwargs.setdefault("initial", {"on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        labels = dict(Project.Status.choices)
        self.fields["to_status"].choices = [
            (status, labels[status]) for status in workflow.allowed_next(project.status)
        ]


# --- parties of a project ------------------------------------------------------------------


def organisation_label(organisation: Organisation) -> str:
    return _("%(name)s (%(country)s)") % {
        "name": bilingual(organisation, "name"),
        "country": country_name(organisation.country),
    }


def _name_in_active_language():
    if is_chinese():
        return Case(When(name_zh="", then="name_en"), default="name_zh")
    return Case(When(name_en="", then="name_zh"), default="name_en")


def organisations_by_name():
    """Every organisation, ordered by its name in the active language."""
    return Organisation.objects.order_by(_name_in_active_language(), "pk")


def agency_choices(chosen: list[int]):
    """The organisations that can be an innovation's agencies: every organisation but the
    enterprises, and those already chosen; the chosen first, so that a reader sees them."""
    return Organisation.objects.filter(
        ~Q(kind=Organisation.Kind.ENTERPRISE) | Q(pk__in=chosen)
    ).order_by(Case(When(pk__in=chosen, then=0), default=1), _name_in_active_language(), "pk")


class OrganisationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Organisation) -> str:
        return organisation_label(obj)


class OrganisationsChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Organisation) -> str:
        return organisation_label(obj)


class PartyForm(forms.Form):
    organisation = OrganisationChoiceField(
        label=_("Organisation"),
        queryset=Organisation.objects.none(),
        empty_label=_("choose an organisation"),
    )
    role = forms.ChoiceField(label=_("Role"))

    def __init__(self, *args, organisations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = (
            organisations if organisations is not None else organisations_by_name()
        )
        self.fields["role"].choices = blank_choice(_("choose a role")) + list(
            ProjectParty.Role.choices
        )


class RowsFormSet(forms.BaseFormSet):
    """Rows a person adds and removes: the delete box of each row says "Remove"."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = _("Remove")

    def kept_forms(self) -> list[forms.Form]:
        """The filled-in rows not marked "Remove" (an untouched blank row has no data)."""
        return [
            form
            for form in self.forms
            if form.is_valid() and form.cleaned_data and not self._should_delete_form(form)
        ]


class BasePartyFormSet(RowsFormSet):
    """The parties of a project, one row each; rows marked "Remove" are left out."""

    def clean(self):
        kept = self.kept_forms()
        seen: dict[tuple[int, str], int] = {}
        for number, form in enumerate(self.forms, start=1):
            if form not in kept:
                continue
            organisation, role = form.cleaned_data["organisation"], form.cleaned_data["role"]
            key = (organisation.pk, role)
            if key in seen:
                raise ValidationError(
                    _(
                        "Rows %(first)d and %(second)d both name %(organisation)s as "
                        "%(role)s; remove one of the two rows."
                    )
                    % {
                        "first": seen[key],
                        "second": number,
                        "organisation": bilingual(organisation, "name"),
                        "role": ProjectParty.Role(role).label,
                    }
                )
            seen[key] = number

    def add_service_errors(self, error: ValidationError) -> None:
        """A service's errors go above the rows: each names what is wrong in a sentence."""
        self.non_form_errors().extend(error.messages)

    def party_inputs(self) -> list[PartyInput]:
        return [
            PartyInput(organisation=f.cleaned_data["organisation"], role=f.cleaned_data["role"])
            for f in self.kept_forms()
        ]

    @staticmethod
    def initial_for(project: Project, proposed: list | None = None) -> list[dict]:
        """The project's parties, or the proposed ones ([organisation id, role] pairs)."""
        if proposed is not None:
            return [{"organisation": pk, "role": role} for pk, role in proposed]
        return [
            {"organisation": party.organisation_id, "role": party.role}
            for party in project.parties.order_by("id")
        ]


PartyFormSet = forms.formset_factory(PartyForm, formset=BasePartyFormSet, extra=1, can_delete=True)


# --- institutional innovations -------------------------------------------------------------


class InnovationForm(RecordForm, TitleDescriptionForm):
    field_order = ["version"]  # then the title and description
    record_attribute = "innovation"

    category = forms.ChoiceField(label=_("Category"))
    adopted_on = forms.DateField(label=_("Adopted on"), required=False, widget=DateInput())
    agencies = OrganisationsChoiceField(
        label=_("Agencies involved"),
        queryset=Organisation.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_(
            "Government agencies, regulators, chambers and partners; those chosen are listed "
            "first. Hold Ctrl (or ⌘ on a Mac) to choose several."
        ),
    )
    is_published = forms.BooleanField(label=_("Published (anyone can see it)"), required=False)
    source_url = web_address_field(_("Source (web address)"), required=False)
    source_checked_on = forms.DateField(
        label=_("Source checked on"), required=False, widget=DateInput()
    )

    def __init__(self, *args, innovation: Innovation | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.innovation = innovation
        self.fields["category"].choices = blank_choice(_("choose a category")) + list(
            Innovation.Category.choices
        )
        self.fields["agencies"].queryset = agency_choices(self.initial.get("agencies", []))

    @classmethod
    def initial_for(cls, innovation: Innovation) -> dict:
        initial = {name: getattr(innovation, name) for name in cls.base_fields}
        initial["agencies"] = [agency.pk for agency in innovation.agencies.all()]
        return initial

    def innovation_fields(self) -> dict:
        """The keyword arguments of services.innovation_save (the version included)."""
        fields = dict(self.cleaned_data)
        fields["agencies"] = list(fields["agencies"])
        return fields

    def add_service_errors(self, error: ValidationError) -> None:
        """The innovation's own errors; the replications' go to their formset."""
        if hasattr(error, "error_dict"):
            error = ValidationError(
                {
                    name: messages
                    for name, messages in error.error_dict.items()
                    if name not in ReplicationForm.base_fields
                }
            )
            if not error.error_dict:
                return
        super().add_service_errors(error)


class ReplicationForm(forms.Form):
    place_en = forms.CharField(label=_("Place (English)"), required=False, max_length=200)
    place_zh = forms.CharField(label=_("Place (Chinese)"), required=False, max_length=200)
    country = forms.ChoiceField(label=_("Country"), initial="CN")
    replicated_on = forms.DateField(label=_("Replicated on"), required=False, widget=DateInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = country_choices()

    def clean(self):
        data = super().clean()
        if not data.get("place_en") and not data.get("place_zh"):
            self.add_error("place_en", _("Give the place in English or Chinese."))
        return data


class BaseReplicationFormSet(RowsFormSet):
    def add_service_errors(self, error: ValidationError) -> None:
        """The service's errors about replications (each names the replication's number)
        go above the rows."""
        if not hasattr(error, "error_dict"):
            return
        for name, errors in error.error_dict.items():
            if name in ReplicationForm.base_fields:
                self.non_form_errors().extend(ValidationError(errors).messages)

    def replication_inputs(self) -> list[ReplicationInput]:
        return [
            ReplicationInput(
                place_en=form.cleaned_data["place_en"],
                place_zh=form.cleaned_data["place_zh"],
                country=form.cleaned_data["country"],
                replicated_on=form.cleaned_data["replicated_on"],
            )
            for form in self.kept_forms()
        ]

    @staticmethod
    def initial_for(innovation: Innovation | None) -> list[dict]:
        if innovation is None:
            return []
        return [
            {
                "place_en": r.place_en,
                "place_zh": r.place_zh,
                "country": r.country,
                "replicated_on": r.replicated_on,
            }
            for r in innovation.replications.all()
        ]


ReplicationFormSet = forms.formset_factory(
    ReplicationForm, formset=BaseReplicationFormSet, extra=1, can_delete=True
)


# --- published figures ---------------------------------------------------------------------


class PublishedFigureForm(RecordForm):
    record_attribute = "figure"

    metric = forms.ChoiceField(label=_("Metric"))
    qualifier = forms.ChoiceField(label=_("Qualifier"), choices=PublishedFigure.Qualifier.choices)
    value = forms.DecimalField(
        label=_("Published value"),
        min_value=0,
        max_digits=20,
        decimal_places=2,
        help_text=_(
            "A number of projects or innovations, or an amount in US dollars written in full "
            "(26000000000 for US$26 billion)."
        ),
    )
    as_of = forms.DateField(label=_("As of"), widget=DateInput())
    kinds = forms.MultipleChoiceField(
        label=_("Project kinds covered"),
        required=False,
        choices=Project.Kind.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave all unticked when the figure covers every kind of project."),
    )
    scope_en = forms.CharField(label=_("Scope (English)"), max_length=300)
    scope_zh = forms.CharField(label=_("Scope (Chinese)"), required=False, max_length=300)
    publisher = forms.CharField(label=_("Publisher"), max_length=200)
    source_url = web_address_field(_("Source (web address)"))
    checked_on = forms.DateField(label=_("Checked on"), required=False, widget=DateInput())

    def __init__(self, *args, figure: PublishedFigure | None = None, **kwargs):
        self.figure = figure
        super().__init__(*args, **kwargs)
        self.fields["metric"].choices = blank_choice(_("choose a metric")) + list(
            PublishedFigure.Metric.choices
        )

    @classmethod
    def initial_for(cls, figure: PublishedFigure) -> dict:
        return {name: getattr(figure, name) for name in cls.base_fields}

    def figure_fields(self) -> dict:
        """The keyword arguments of services.published_figure_save."""
        fields = dict(self.cleaned_data)
        # stored in the order of Project.Kind, whatever order the browser sent
        fields["kinds"] = [kind for kind in Project.Kind.values if kind in fields["kinds"]]
        return fields
