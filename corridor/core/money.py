"""Money: Decimal amounts with an ISO 4217 code, converted to US dollars with a dated rate.

The rate used is the latest one on or before the value's date; a conversion always says
which rate it used, and refuses (returns no rate) rather than guess.
"""

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from corridor.core.models import FxRate

CENT = Decimal("0.01")


@dataclass(frozen=True)
class Conversion:
    amount_usd: Decimal
    rate: FxRate | None  # None when the amount already was in USD


def rate_on(currency: str, on: date) -> FxRate | None:
    return FxRate.objects.filter(currency=currency.upper(), date__lte=on).order_by("-date").first()


def to_usd(amount: Decimal, currency: str, on: date) -> Conversion | None:
    """Convert `amount` to USD with the rate in force on `on`; None when no rate is known."""
    currency = currency.upper()
    if currency == "USD":
        return Conversion(amount_usd=amount.quantize(CENT, ROUND_HALF_UP), rate=None)
    rate = rate_on(currency, on)
    if rate is None:
        return None
    return Conversion(
        amount_usd=(amount * rate.usd_per_unit).quantize(CENT, ROUND_HALF_UP), rate=rate
    )
