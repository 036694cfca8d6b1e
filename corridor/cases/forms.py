"""Forms of the case pages. They parse and label; the services validate and decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from corridor.cases.models import Case, CaseParty
from corridor.cases.queries import CaseFilter
from corridor.core.bilingual import bilingual
from corridor.core.forms import (
    DateInput,
    NameField,
    ServiceErrorsMixin,
    TitleDescriptionForm,
    TitleForm,
    VersionedForm,
    blank_choice,
    field_values,
    text_field,
)


class CaseFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=blank_choice(_("any status")) + Case.Status.choices,
    )
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=blank_choice(_("any kind")) + Case.Kind.choices
    )
    market = forms.CharField(
        label=_("Target market"),
        required=False,
        max_length=2,
        widget=forms.TextInput(attrs={"size": 3, "placeholder": "SG"}),
    )
    role = forms.ChoiceField(
        label=_("My role"),
        required=False,
        choices=blank_choice(_("any role")) + CaseParty.Role.choices,
    )

    def case_filter(self) -> CaseFilter:
        """The filter the person asked for (none if what they typed does not parse)."""
        if not self.is_valid():
            return CaseFilter()
        return CaseFilter(**self.cleaned_data)


class CaseOpenForm(ServiceErrorsMixin, TitleDescriptionForm):
    SERVICE_FIELDS = {"applicant": "applicant", "region_case": "region_case"}
    field_order = [
        "assessment",
        "applicant",
        "title_en",
        "title_zh",
        "target_market",
        "product_name",
        "hs_code",
        "kind",
        "region_case",
        "start_on",
    ]  # then the description
    assessment = forms.TypedChoiceField(
        label=_("From a readiness assessment"),
        required=False,
        coerce=int,
        empty_value=None,
        help_text=_(
            "Its roadmap becomes the case's milestones, and its product and HS code are used "
            "unless you give others. Leave empty to open the case from scratch."
        ),
    )
    applicant = forms.TypedChoiceField(
        label=_("Applicant"),
        required=False,
        coerce=int,
        empty_value=None,
        help_text=_("The organisation exporting; by default the one the assessment was made for."),
    )
    target_market = forms.CharField(
        label=_("Target market"),
        required=False,
        max_length=2,
        help_text=_("A two-letter country code such as SG; by default the assessment's market."),
    )
    product_name = NameField(label=_("Product"), required=False, max_length=300)
    hs_code = forms.CharField(label=_("HS code"), required=False, max_length=14)
    kind = forms.ChoiceField(label=_("Kind"), choices=Case.Kind.choices, initial="enterprise")
    region_case = forms.TypedChoiceField(
        label=_("Regional case"), required=False, coerce=int, empty_value=None
    )
    start_on = forms.DateField(
        label=_("Start of the plan"),
        required=False,
        widget=DateInput(),
        help_text=_("The roadmap's milestones are planned from this day; by default today."),
    )

    def __init__(self, *args, applicants, assessments, region_cases, **kwargs):
        super().__init__(*args, **kwargs)
        self.applicants = {o.pk: o for o in applicants}
        self.assessments = {a.pk: a for a in assessments}
        self.region_cases = {c.pk: c for c in region_cases}
        self.fields["applicant"].choices = blank_choice("—") + [
            (o.pk, bilingual(o, "name")) for o in applicants
        ]
        self.fields["assessment"].choices = blank_choice(_("none: open from scratch")) + [
            (
                a.pk,
                _("%(product)s (HS %(hs)s) to %(market)s, %(date)s")
                % {
                    "product": a.product_name or a.hs_code,
                    "hs": a.hs_code,
                    "market": a.destination,
                    "date": a.created_at.date().isoformat(),
                },
            )
            for a in assessments
        ]
        self.fields["region_case"].choices = blank_choice(_("none")) + [
            (c.pk, f"{c.reference} {bilingual(c, 'title')}") for c in region_cases
        ]

    def clean(self):
        data = super().clean()
        assessment = self.assessments.get(data.get("assessment"))
        data["assessment_obj"] = assessment
        applicant = self.applicants.get(data.get("applicant"))
        if applicant is None and assessment is not None:
            applicant = assessment.organisation
        if applicant is None:
            self.add_error(
                "applicant", _("Choose the applicant, or a readiness assessment made for it.")
            )
        data["applicant_obj"] = applicant
        data["region_case_obj"] = self.region_cases.get(data.get("region_case"))
        if assessment is not None:
            data["target_market"] = data.get("target_market") or assessment.destination
            if not data.get("title_en") and not data.get("title_zh"):
                data["title_en"] = _("%(product)s to %(market)s") % {
                    "product": assessment.product_name or assessment.hs_code,
                    "market": assessment.destination,
                }
        return data

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return field_values(self) | {
            "applicant": data["applicant_obj"],
            "assessment": data["assessment_obj"],
            "region_case": data["region_case_obj"],
        }


class TransitionForm(VersionedForm):
    to_status = forms.ChoiceField(label=_("New status"), choices=Case.Status.choices)
    reason = text_field(_("Reason"), rows=2, required=True, max_length=2000)


class PartyForm(ServiceErrorsMixin, forms.Form):
    organisation = forms.TypedChoiceField(label=_("Organisation"), coerce=int)
    role = forms.ChoiceField(
        label=_("Role"),
        choices=[(v, label) for v, label in CaseParty.Role.choices if v != "applicant"],
    )
    contact = forms.CharField(
        label=_("Contact person (user name)"),
        required=False,
        max_length=150,
        help_text=_("Optional: the member of the organisation who acts for it in this case."),
    )

    def __init__(self, *args, organisations, roles=None, **kwargs):
        """`roles`: the roles to offer (those the person may add a party in). The form still
        accepts every role: a refusal, with its reason, is the service's."""
        super().__init__(*args, **kwargs)
        self.organisations = {o.pk: o for o in organisations}
        self.fields["organisation"].choices = [(o.pk, bilingual(o, "name")) for o in organisations]
        if roles is not None:
            self.fields["role"].widget.choices = [
                (value, label) for value, label in self.fields["role"].choices if value in roles
            ]


class MilestoneForm(TitleForm, VersionedForm):
    planned_start = forms.DateField(label=_("Planned start"), required=False, widget=DateInput())
    planned_end = forms.DateField(label=_("Planned end"), required=False, widget=DateInput())
    actual_start = forms.DateField(label=_("Actual start"), required=False, widget=DateInput())
    actual_end = forms.DateField(label=_("Actual end"), required=False, widget=DateInput())
    owner = forms.TypedChoiceField(label=_("Owner"), required=False, coerce=int, empty_value=None)
    depends_on = forms.TypedMultipleChoiceField(
        label=_("Depends on"), required=False, coerce=int, widget=forms.CheckboxSelectMultiple
    )
    dates_approximate = forms.BooleanField(label=_("Dates are approximate"), required=False)

    def __init__(self, *args, parties, milestones, milestone=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.milestone = milestone
        self.parties = {p.pk: p for p in parties}
        self.others = {m.pk: m for m in milestones if milestone is None or m.pk != milestone.pk}
        self.fields["owner"].choices = blank_choice("—") + [
            (p.pk, f"{bilingual(p.organisation, 'name')} ({p.get_role_display()})") for p in parties
        ]
        self.fields["depends_on"].choices = [
            (m.pk, bilingual(m, "title")) for m in self.others.values()
        ]

    @staticmethod
    def initial_for(milestone, depends_on) -> dict:
        return {
            "version": milestone.version,
            "title_en": milestone.title_en,
            "title_zh": milestone.title_zh,
            "planned_start": milestone.planned_start,
            "planned_end": milestone.planned_end,
            "actual_start": milestone.actual_start,
            "actual_end": milestone.actual_end,
            "owner": milestone.owner_id,
            "depends_on": [m.pk for m in depends_on],
            "dates_approximate": milestone.dates_approximate,
        }

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return field_values(self) | {
            "owner": self.parties.get(data["owner"]),
            "depends_on": [self.others[pk] for pk in data["depends_on"] if pk in self.others],
        }


class IssueForm(VersionedForm):
    title = NameField(label=_("Title"), required=False, max_length=300)
    description = text_field(_("Description"), rows=2)
    assigned_to = forms.TypedChoiceField(
        label=_("Assigned to"), required=False, coerce=int, empty_value=None
    )
    due_on = forms.DateField(label=_("Due on"), required=False, widget=DateInput())

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.people = {p.pk: p for p in people}
        self.fields["assigned_to"].choices = blank_choice(_("nobody")) + [
            (p.pk, p.display_name) for p in people
        ]

    @staticmethod
    def initial_for(issue) -> dict:
        return {
            "version": issue.version,
            "title": issue.title,
            "description": issue.description,
            "assigned_to": issue.assigned_to_id,
            "due_on": issue.due_on,
        }

    def service_arguments(self) -> dict:
        return field_values(self, leave_out=("version",)) | {
            "assigned_to": self.people.get(self.cleaned_data["assigned_to"]),
        }


class CommentForm(ServiceErrorsMixin, forms.Form):
    body = text_field(_("Comment"), rows=2)


class ResolveForm(VersionedForm):
    resolution = text_field(_("Resolution"), rows=2)


class ReopenForm(VersionedForm):
    """No fields but the version of the issue the page showed."""
