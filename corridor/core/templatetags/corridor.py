from decimal import Decimal

from django import template

from corridor.core.bilingual import bilingual
from corridor.core.vocabularies import country_name, currency_name

register = template.Library()


@register.filter
def bi(obj, field: str) -> str:
    """{{ project|bi:"title" }}: the field in the active language, falling back to the other."""
    return bilingual(obj, field)


@register.filter
def country(code: str) -> str:
    return country_name(code)


@register.filter
def currency(code: str) -> str:
    return currency_name(code)


@register.filter
def money(amount, code: str = "") -> str:
    if amount is None or amount == "":
        return "—"
    # Grouped with commas in both languages: Django's Chinese format has no thousands
    # separator, and amounts written in Chinese use commas too.
    text = f"{Decimal(amount):,.0f}"
    return f"{code} {text}".strip()


@register.filter
def usd_short(amount) -> str:
    """US$26.1 bn / US$450.0 m: large sums, readable in both languages."""
    if amount is None:
        return "—"
    amount = Decimal(amount)
    if abs(amount) >= Decimal("1e9"):
        return f"US${amount / Decimal('1e9'):,.1f} bn"
    if abs(amount) >= Decimal("1e6"):
        return f"US${amount / Decimal('1e6'):,.1f} m"
    return f"US${amount:,.0f}"


@register.simple_tag(takes_context=True)
def query_with(context, **changes) -> str:
    """The current query string with some parameters replaced (for pagination links)."""
    query = context["request"].GET.copy()
    for key, value in changes.items():
        query[key] = value
    return query.urlencode()
