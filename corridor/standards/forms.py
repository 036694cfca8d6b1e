"""The readiness-assessment form: product, route, attributes and what is already held.

Its choices come from the knowledge base (`kb.current()`): the destination markets, the
product attributes the engine reads and the evidence an enterprise can hold.
"""

from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from corridor.accounts import roles
from corridor.accounts.models import Organisation
from corridor.core.bilingual import bilingual
from corridor.core.forms import NameField, ServiceErrorsMixin
from corridor.core.vocabularies import country_choices, country_name
from corridor.standards import engine
from corridor.standards.permissions import assessing_organisation_ids

ATTRIBUTE_PREFIX = "attr_"

# What people read for the attributes and values the knowledge base names; anything the
# knowledge base adds later shows its own name until it is given a label here.
ATTRIBUTE_LABELS = {
    "vehicle_category": _("Vehicle category (UNECE)"),
    "powertrain": _("Powertrain"),
    "max_laden_weight_kg": _("Maximum laden weight (kg)"),
    "meat_species": _("Meat species"),
    "processing_form": _("Processing form"),
    "vehicle_condition": _("Vehicle condition"),
    "vehicle_length_m": _("Vehicle length (m)"),
    "open_deck_carries_people": _("Open deck that can carry people"),
}

VALUE_LABELS = {
    "N1": _("N1: goods vehicle up to 3.5 t"),
    "N2": _("N2: goods vehicle over 3.5 t up to 12 t"),
    "N3": _("N3: goods vehicle over 12 t"),
    "electric": _("electric"),
    "diesel": _("diesel"),
    "petrol": _("petrol"),
    "hybrid": _("hybrid"),
    "brand_new": _("brand new"),
    "used": _("used"),
    "pork": _("pork"),
    "beef": _("beef"),
    "poultry": _("poultry"),
    "mutton": _("mutton"),
    "fresh_chilled": _("fresh or chilled"),
    "frozen": _("frozen"),
    "canned": _("canned"),
    "processed": _("processed"),
    "yes": _("yes"),
    "no": _("no"),
}


@dataclass(frozen=True)
class AttributeDefinition:
    name: str
    type: str  # "choice" | "number"
    choices: tuple[str, ...] = ()

    @property
    def field_name(self) -> str:
        return ATTRIBUTE_PREFIX + self.name

    @property
    def label(self) -> str:
        return str(ATTRIBUTE_LABELS.get(self.name, self.name.replace("_", " ")))


def _declared_choices(knowledge_base: engine.KnowledgeBase, name: str) -> tuple[str, ...] | None:
    """The allowed values the knowledge base declares for a choice attribute, if it does."""
    for holder in ("attribute_choices", "attribute_values"):
        declared = getattr(knowledge_base, holder, None)
        if isinstance(declared, dict) and name in declared:
            return tuple(declared[name])
    definitions = getattr(knowledge_base, "attributes", None)
    if isinstance(definitions, dict) and name in definitions:
        definition = definitions[name]
        values = getattr(definition, "choices", None) or getattr(definition, "values", None)
        if values is None and isinstance(definition, dict):
            values = definition.get("choices") or definition.get("values")
        if values:
            return tuple(values)
    return None


def attribute_definitions(knowledge_base: engine.KnowledgeBase) -> list[AttributeDefinition]:
    """Every attribute the engine reads, with the values a choice may take: those the
    knowledge base declares, else those its requirements' conditions name."""
    used: dict[str, list[str]] = {}
    for requirement in knowledge_base.requirements.values():
        for condition in requirement.conditions:
            for value in condition.one_of:
                if value not in used.setdefault(condition.name, []):
                    used[condition.name].append(value)
    definitions = []
    for name, kind in knowledge_base.attribute_types.items():
        choices = ()
        if kind == "choice":
            choices = _declared_choices(knowledge_base, name) or tuple(sorted(used.get(name, [])))
        definitions.append(AttributeDefinition(name=name, type=kind, choices=choices))
    return definitions


def value_label(value: str) -> str:
    return str(VALUE_LABELS.get(value, value.replace("_", " ")))


class _EvidenceTitle:
    def __init__(self, evidence: engine.Evidence):
        self.title_en, self.title_zh = evidence.title_en, evidence.title_zh


def evidence_title(knowledge_base: engine.KnowledgeBase, evidence_id: str) -> str:
    evidence = knowledge_base.evidence.get(evidence_id)
    if evidence is None:
        return evidence_id
    return bilingual(_EvidenceTitle(evidence), "title") or evidence_id


def organisations_for(user):
    """The organisations `user` may make an assessment for."""
    if roles.is_facilitator(user):
        return Organisation.objects.order_by("name_en")
    return Organisation.objects.filter(pk__in=assessing_organisation_ids(user)).order_by("name_en")


class AssessmentForm(forms.Form):
    """Four steps on one page: the product, the route, its attributes, what is held."""

    # step 1: the product
    organisation = forms.ModelChoiceField(
        label=_("Organisation"),
        queryset=Organisation.objects.none(),
        empty_label=None,
        help_text=_("The assessment belongs to this organisation."),
    )
    product_name = NameField(
        label=_("Product name"),
        max_length=300,
        required=False,
        help_text=_("As you call it, for example “EQ2 electric van”."),
    )
    hs_code = forms.CharField(
        label=_("HS code"),
        max_length=12,
        help_text=_("2, 4 or 6 digits of the Harmonized System, for example 870460."),
    )
    # step 2: the route
    origin = forms.ChoiceField(label=_("From (origin)"), initial="CN")
    destination = forms.ChoiceField(label=_("To (destination market)"))
    # step 4: what is already held
    held = forms.MultipleChoiceField(
        label=_("Certificates and approvals you already hold"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, user, knowledge_base: engine.KnowledgeBase, **kwargs):
        super().__init__(*args, **kwargs)
        self.knowledge_base = knowledge_base
        organisations = organisations_for(user)
        self.fields["organisation"].queryset = organisations
        self.fields["organisation"].label_from_instance = lambda org: bilingual(org, "name")
        if len(organisations) == 1:
            self.fields["organisation"].initial = organisations[0].pk
            self.fields["organisation"].widget = forms.HiddenInput()
        self.fields["origin"].choices = country_choices()
        markets = sorted(knowledge_base.markets)
        self.fields["destination"].choices = [("", "—")] + [
            (code, f"{country_name(code)} ({code})") for code in markets
        ]
        if len(markets) == 1:
            self.fields["destination"].initial = markets[0]
        self.attribute_definitions = attribute_definitions(knowledge_base)
        for definition in self.attribute_definitions:
            if definition.type == "number":
                field = forms.FloatField(label=definition.label, required=False)
                field.help_text = _("Leave empty if not stated.")
            else:
                field = forms.ChoiceField(
                    label=definition.label,
                    required=False,
                    choices=[("", _("not stated"))]
                    + [(value, value_label(value)) for value in definition.choices],
                )
            self.fields[definition.field_name] = field
        self.fields["held"].choices = sorted(
            (
                (evidence_id, evidence_title(knowledge_base, evidence_id))
                for evidence_id in knowledge_base.evidence
            ),
            key=lambda choice: choice[1],
        )

    # the steps, in the order the page shows them
    def step_product(self):
        return [self["organisation"], self["product_name"], self["hs_code"]]

    def step_route(self):
        return [self["origin"], self["destination"]]

    def step_attributes(self):
        return [self[d.field_name] for d in self.attribute_definitions]

    def step_held(self):
        return [self["held"]]

    def attributes(self) -> dict:
        values = {}
        for definition in self.attribute_definitions:
            value = self.cleaned_data.get(definition.field_name)
            if value not in (None, ""):
                values[definition.name] = value
        return values

    def add_service_errors(self, error: ValidationError) -> None:
        """The service's errors, each on the field it names (`post_form` calls this)."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for field, messages in error.message_dict.items():
            for message in messages:
                self.add_service_error(field, message)

    def add_service_error(self, field: str, message: str) -> None:
        """Put an error from the service on the field it names (attributes are named
        `attributes.<name>` or `<name>` by the engine)."""
        name = field.split(".")[-1]
        for candidate in (field, ATTRIBUTE_PREFIX + name, name):
            if candidate in self.fields:
                self.add_error(candidate, message)
                return
        self.add_error(None, message)


class WatchForm(ServiceErrorsMixin, forms.Form):
    """Follow a product in a market; `services.watch_add` checks the values."""

    hs_prefix = forms.CharField(
        label=_("HS code"),
        max_length=12,
        help_text=_(
            "A chapter, heading or subheading: 2, 4 or 6 digits, such as 02, 0203 or 020329."
        ),
    )
    market = forms.ChoiceField(label=_("Market"), choices=())

    def __init__(self, *args, markets: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["market"].choices = [(code, country_name(code)) for code in markets]
