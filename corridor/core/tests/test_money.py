import datetime
from decimal import Decimal

from corridor.core.money import to_usd
from corridor.testing.factories import FxRateFactory


def test_conversion_uses_the_latest_rate_on_or_before_the_date(db):
    old = FxRateFactory(
        currency="SGD", date=datetime.date(2019, 1, 1), usd_per_unit=Decimal("0.73")
    )
    FxRateFactory(currency="SGD", date=datetime.date(2021, 1, 1), usd_per_unit=Decimal("0.75"))
    conversion = to_usd(Decimal("1000"), "SGD", datetime.date(2020, 6, 30))
    assert conversion.amount_usd == Decimal("730.00")
    assert conversion.rate == old


def test_no_rate_before_the_date_means_no_conversion(db):
    FxRateFactory(currency="CNY", date=datetime.date(2021, 1, 1), usd_per_unit=Decimal("0.15"))
    assert to_usd(Decimal("1000"), "CNY", datetime.date(2020, 1, 1)) is None


def test_dollars_need_no_rate(db):
    conversion = to_usd(Decimal("12.345"), "usd", datetime.date(2020, 1, 1))
    assert conversion.amount_usd == Decimal("12.35")
    assert conversion.rate is None
