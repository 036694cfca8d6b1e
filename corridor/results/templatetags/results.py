"""How the results framework writes its figures."""

from decimal import Decimal

from django import template

from corridor.core.bilingual import is_chinese
from corridor.results.forms import STATUS_LABELS

register = template.Library()


@register.filter
def figure(value) -> str:
    """A value as people write it: grouped, decimals only when there are some
    (10,800,000; 2.5)."""
    if value is None or value == "":
        return "—"
    number = Decimal(value)
    if number == number.to_integral_value():
        return f"{number:,.0f}"
    return f"{number.normalize():,f}"


def compact(value: float) -> str:
    """A chart axis's label: 10.8 m / 1,080万 (亿 = 10^8, 万 = 10^4 in Chinese)."""
    number = Decimal(str(value))
    if is_chinese():
        if abs(number) >= Decimal("1e8"):
            return f"{(number / Decimal('1e8')).normalize():f}亿"
        if abs(number) >= Decimal("1e4"):
            return f"{(number / Decimal('1e4')).normalize():f}万"
    else:
        if abs(number) >= Decimal("1e9"):
            return f"{(number / Decimal('1e9')).normalize():f} bn"
        if abs(number) >= Decimal("1e6"):
            return f"{(number / Decimal('1e6')).normalize():f} m"
    return figure(number)


@register.filter
def status_label(status: str) -> str:
    """An indicator's status in words (on track, at risk, off track, ...)."""
    return str(STATUS_LABELS.get(status, status))
