"""Forms of the directory pages. They parse and label; the services validate and decide (so a
bad country code or sector comes back from `services.profile_save` with its own sentence)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from corridor.core.bilingual import LANGUAGE_LABELS, bilingual
from corridor.core.forms import (
    NameField,
    ServiceErrorsMixin,
    UncheckedMultipleChoiceField,
    VersionedForm,
    VersionedFormMixin,
    blank_choice,
    field_values,
    text_field,
)
from corridor.core.vocabularies import city_name, country_choices, country_name
from corridor.directory.models import Feedback, Profile
from corridor.directory.queries import DirectoryFilter

FIRST_COUNTRIES = ("SG", "CN")  # the corridor's two sides lead every country list


class DirectoryFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=200,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("words in English or Chinese")}
        ),
    )
    sector = forms.ChoiceField(label=_("Sector"), required=False)
    country = forms.ChoiceField(label=_("Country"), required=False)
    city = forms.ChoiceField(label=_("City"), required=False)
    verified = forms.BooleanField(label=_("Verified only"), required=False)

    def __init__(self, *args, sectors, countries, cities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sector"].choices = blank_choice(_("all sectors")) + [
            (s.code, bilingual(s, "name")) for s in sectors
        ]
        self.fields["country"].choices = blank_choice(_("all countries")) + [
            (code, country_name(code)) for code in countries
        ]
        self.fields["city"].choices = blank_choice(_("all cities")) + [
            (c, city_name(c)) for c in cities
        ]

    def filter(self) -> DirectoryFilter:
        """What the list is filtered by: a value that does not parse is shown with its error
        and left out."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return DirectoryFilter(
            q=data.get("q", ""),
            sector=data.get("sector", ""),
            country=data.get("country", ""),
            city=data.get("city", ""),
            verified_only=data.get("verified", False),
        )

    @staticmethod
    def countries_in_order(codes) -> list[str]:
        """Singapore and China first, then the other countries present by code."""
        present = {code for code in codes if code}
        return [*FIRST_COUNTRIES, *sorted(present - set(FIRST_COUNTRIES))]


class ProfileForm(VersionedFormMixin, VersionedForm):
    """An organisation's profile, with the version of it the form was loaded with (0: there
    was none yet)."""

    name_en = NameField(label=_("Name (English)"), required=False, max_length=300)
    name_zh = NameField(label=_("Name (Chinese)"), required=False, max_length=300)
    city = forms.CharField(label=_("City"), required=False, max_length=120)
    sectors = UncheckedMultipleChoiceField(
        label=_("Sectors"), required=False, widget=forms.CheckboxSelectMultiple
    )
    size = forms.ChoiceField(
        label=_("Size"), required=False, choices=blank_choice(_("not given")) + Profile.Size.choices
    )
    description_en = text_field(
        _("Description (English)"),
        rows=4,
        help_text=_("What the enterprise does. English, Chinese or both."),
    )
    description_zh = text_field(_("Description (Chinese)"), rows=4)
    offers = text_field(
        _("What it offers"),
        rows=5,
        help_text=_(
            "One offer per line, in either language: the products, services or capacity "
            "that a partner could use."
        ),
    )
    needs = text_field(
        _("What it needs"),
        rows=5,
        help_text=_(
            "One need per line, in either language: what the enterprise is looking for in a "
            "partner."
        ),
    )
    target_markets = UncheckedMultipleChoiceField(
        label=_("Target markets"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_(
            "The countries where the enterprise wants to do business. Hold Ctrl (⌘ on a Mac) "
            "to choose several."
        ),
    )
    languages = UncheckedMultipleChoiceField(
        label=_("Working languages"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=list(LANGUAGE_LABELS.items()),
    )
    visibility = forms.ChoiceField(
        label=_("Who can see the profile"),
        choices=Profile.Visibility.choices,
        initial=Profile.Visibility.PUBLIC,
        widget=forms.RadioSelect,
    )
    contacts = forms.TypedMultipleChoiceField(
        label=_("Contact persons"),
        required=False,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Members of the organisation whom other enterprises may contact."),
    )

    def __init__(self, *args, sectors, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.members = {person.pk: person for person in members}
        self.fields["sectors"].choices = [(s.code, bilingual(s, "name")) for s in sectors]
        countries = country_choices()
        # the corridor's two sides, then the markets already chosen, then every other country:
        # a chosen market is never hidden far down a list of 249 countries
        chosen = set(self.initial.get("target_markets") or [])
        if self.is_bound and hasattr(self.data, "getlist"):
            chosen |= set(self.data.getlist(self.add_prefix("target_markets")))
        lead = [*FIRST_COUNTRIES, *sorted(chosen - set(FIRST_COUNTRIES))]
        self.fields["target_markets"].choices = [
            *(c for code in lead for c in countries if c[0] == code),
            *(c for c in countries if c[0] not in lead),
        ]
        self.fields["contacts"].choices = [(person.pk, person.display_name) for person in members]

    @staticmethod
    def initial_for(organisation, profile: Profile | None, user) -> dict:
        """The form's values for an organisation's profile, or for a new one (its names, city
        and sectors, the person filling it in as contact)."""
        initial = {
            "name_en": organisation.name_en,
            "name_zh": organisation.name_zh,
            "city": organisation.city,
            "sectors": [s.code for s in organisation.sectors.all()],
        }
        if profile is None:
            return initial | {
                "version": 0,
                "visibility": Profile.Visibility.PUBLIC,
                "contacts": [user.pk],
            }
        return initial | {
            "version": profile.version,
            "size": profile.size,
            "description_en": profile.description_en,
            "description_zh": profile.description_zh,
            "offers": profile.offers,
            "needs": profile.needs,
            "target_markets": list(profile.target_markets or []),
            "languages": list(profile.languages or []),
            "visibility": profile.visibility,
            "contacts": [person.pk for person in profile.contacts.all()],
        }

    def clean(self):
        data = super().clean()
        if data.get("version") is None:
            self.add_error(
                None,
                _(
                    "The version of the profile you opened is missing; reload the page and "
                    "make your change again."
                ),
            )
        return data

    def service_arguments(self) -> dict:
        contacts = [self.members[pk] for pk in self.cleaned_data["contacts"]]
        return field_values(self) | {"contacts": contacts}


class ConnectForm(ServiceErrorsMixin, forms.Form):
    SERVICE_FIELDS = {"to_profile": ""}  # about the pair, not a field: above the form
    from_profile = forms.TypedChoiceField(label=_("On behalf of"), coerce=int)
    message = text_field(
        _("Message"),
        rows=3,
        max_length=2000,
        help_text=_("Say who you are and what you would like to do together."),
    )

    def __init__(self, *args, own_profiles, **kwargs):
        super().__init__(*args, **kwargs)
        self.own_profiles = {p.pk: p for p in own_profiles}
        self.fields["from_profile"].choices = [
            (p.pk, bilingual(p.organisation, "name")) for p in own_profiles
        ]
        if len(own_profiles) == 1:
            self.fields["from_profile"].widget = forms.HiddenInput()
            self.fields["from_profile"].initial = own_profiles[0].pk


class AnswerForm(forms.Form):
    accept = forms.TypedChoiceField(
        label=_("Answer"),
        coerce=lambda value: value == "1",
        choices=[("1", _("Accept")), ("0", _("Decline"))],
    )
    answer = text_field(_("Reply (optional)"), rows=2, max_length=2000)


class MessageForm(ServiceErrorsMixin, forms.Form):
    """A message to the other side of an accepted connection; the service checks it (length,
    control characters) and says what is wrong beside the field."""

    text = forms.CharField(
        label=_("Message"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 2000}),
        help_text=_("Up to 2,000 characters. The other side is told by e-mail."),
    )


class FeedbackForm(forms.Form):
    candidate = forms.IntegerField(widget=forms.HiddenInput())
    verdict = forms.ChoiceField(
        label=_("Verdict"),
        required=False,
        choices=blank_choice(_("no verdict")) + Feedback.Verdict.choices,
    )
