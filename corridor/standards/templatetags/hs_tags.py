"""Template filters for HS codes: `{{ code|hs_label }}` gives 'Chapter 87' in the active language."""

from django import template

from corridor.standards.hs import code_label
from corridor.standards.models import HsCode

register = template.Library()


@register.filter
def hs_label(code: HsCode) -> str:
    return code_label(code)
