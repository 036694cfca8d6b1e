from django import forms
from django.utils.translation import gettext_lazy as _

from corridor.briefing.models import BriefingPack
from corridor.core.forms import DateInput, ServiceErrorsMixin


class PackForm(ServiceErrorsMixin, forms.Form):
    since = forms.DateField(
        label=_("Changes since"),
        help_text=_("Usually the date of the previous steering meeting."),
        widget=DateInput(),
    )
    language = forms.ChoiceField(label=_("Language"), choices=BriefingPack.Language.choices)
    format = forms.ChoiceField(label=_("Format"), choices=BriefingPack.Format.choices)
