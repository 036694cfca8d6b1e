"""Forms of the case pages. They parse and label; the services validate and decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from corridor.cases.models import Case, CaseParty
from corridor.cases.queries import CaseFilter
from corridor.core.bilingual import bilingual
from corridor.core.forms import NameField, ServiceErrorsMixin


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def _blank(label):
    return [("", label)]


class CaseFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=_blank(_("any status")) + Case.Status.choices
    )
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=_blank(_("any kind")) + Case.Kind.choices
    )
    market = forms.CharField(
        label=_("Target market"),
        required=False,
        max_length=2,
        widget=forms.TextInput(attrs={"size": 3, "placeholder": "SG"}),
    )
    role = forms.ChoiceField(
        label=_("My role"), required=False, choices=_blank(_("any role")) + CaseParty.Role.choices
    )

    def case_filter(self) -> CaseFilter:
        """The filter the person asked for (none if what they typed does not parse)."""
        if not self.is_valid():
            return CaseFilter()
        return CaseFilter(**self.cleaned_data)


class CaseOpenForm(ServiceErrorsMixin, forms.Form):
    SERVICE_FIELDS = {"applicant": "applicant", "region_case": "region_case"}
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
    title_en = NameField(label=_("Title (English)"), required=False, max_length=300)
    title_zh = NameField(label=_("Title (Chinese)"), required=False, max_length=300)
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
    description_en = forms.CharField(
        label=_("Description (English)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    description_zh = forms.CharField(
        label=_("Description (Chinese)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, applicants, assessments, region_cases, **kwargs):
        super().__init__(*args, **kwargs)
        self.applicants = {o.pk: o for o in applicants}
        self.assessments = {a.pk: a for a in assessments}
        self.region_cases = {c.pk: c for c in region_cases}
        self.fields["applicant"].choices = _blank("—") + [
            (o.pk, bilingual(o, "name")) for o in applicants
        ]
        self.fields["assessment"].choices = _blank(_("none: open from scratch")) + [
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
        self.fields["region_case"].choices = _blank(_("none")) + [
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
        return {
            "applicant": data["applicant_obj"],
            "title_en": data["title_en"],
            "title_zh": data["title_zh"],
            "target_market": data["target_market"],
            "product_name": data["product_name"],
            "hs_code": data["hs_code"],
            "description_en": data["description_en"],
            "description_zh": data["description_zh"],
            "assessment": data["assessment_obj"],
            "region_case": data["region_case_obj"],
            "kind": data["kind"],
            "start_on": data["start_on"],
        }


class TransitionForm(ServiceErrorsMixin, forms.Form):
    SERVICE_FIELDS = {"version": ""}  # a stale move: the message goes above the form
    version = forms.IntegerField(required=False, widget=forms.HiddenInput())
    to_status = forms.ChoiceField(label=_("New status"), choices=Case.Status.choices)
    reason = forms.CharField(
        label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


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


class MilestoneForm(ServiceErrorsMixin, forms.Form):
    SERVICE_FIELDS = {"version": ""}  # a stale save: the message goes above the form
    version = forms.IntegerField(required=False, widget=forms.HiddenInput())
    title_en = NameField(label=_("Title (English)"), required=False, max_length=300)
    title_zh = NameField(label=_("Title (Chinese)"), required=False, max_length=300)
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
        self.fields["owner"].choices = _blank("—") + [
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
        return {
            "version": data["version"],
            "title_en": data["title_en"],
            "title_zh": data["title_zh"],
            "planned_start": data["planned_start"],
            "planned_end": data["planned_end"],
            "actual_start": data["actual_start"],
            "actual_end": data["actual_end"],
            "owner": self.parties.get(data["owner"]),
            "depends_on": [self.others[pk] for pk in data["depends_on"] if pk in self.others],
            "dates_approximate": data["dates_approximate"],
        }


class IssueForm(ServiceErrorsMixin, forms.Form):
    SERVICE_FIELDS = {"version": ""}  # a stale save: the message goes above the form
    version = forms.IntegerField(required=False, widget=forms.HiddenInput())
    title = NameField(label=_("Title"), required=False, max_length=300)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    assigned_to = forms.TypedChoiceField(
        label=_("Assigned to"), required=False, coerce=int, empty_value=None
    )
    due_on = forms.DateField(label=_("Due on"), required=False, widget=DateInput())

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.people = {p.pk: p for p in people}
        self.fields["assigned_to"].choices = _blank(_("nobody")) + [
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
        data = self.cleaned_data
        return {
            "title": data["title"],
            "description": data["description"],
            "assigned_to": self.people.get(data["assigned_to"]),
            "due_on": data["due_on"],
        }


class CommentForm(ServiceErrorsMixin, forms.Form):
    body = forms.CharField(
        label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ResolveForm(ServiceErrorsMixin, forms.Form):
    SERVICE_FIELDS = {"version": ""}  # a stale save: the message goes above the form
    version = forms.IntegerField(required=False, widget=forms.HiddenInput())
    resolution = forms.CharField(
        label=_("Resolution"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReopenForm(ServiceErrorsMixin, forms.Form):
    SERVICE_FIELDS = {"version": ""}  # a stale save: the message goes above the form
    version = forms.IntegerField(required=False, widget=forms.HiddenInput())
