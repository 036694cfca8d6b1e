from django.utils import translation

from corridor.core.bilingual import bilingual
from corridor.core.models import Sector
from corridor.core.vocabularies import country_name, currency_name, is_country, is_currency


class Named:
    def __init__(self, name_en: str, name_zh: str):
        self.name_en, self.name_zh = name_en, name_zh


def test_bilingual_shows_the_active_language_and_falls_back_to_the_other():
    both, english_only = Named("Chongqing", "重庆"), Named("Motorway Group", "")
    with translation.override("zh-hans"):
        assert bilingual(both, "name") == "重庆"
        assert bilingual(english_only, "name") == "Motorway Group"
    with translation.override("en"):
        assert bilingual(both, "name") == "Chongqing"
        assert bilingual(Named("", "庆铃汽车"), "name") == "庆铃汽车"


def test_country_and_currency_names_follow_the_language():
    with translation.override("zh-hans"):
        assert country_name("SG") == "新加坡"
        assert currency_name("CNY") == "人民币"
    with translation.override("en"):
        assert country_name("cn") == "China"
        assert currency_name("SGD") == "Singapore Dollar"


def test_codes_are_checked_against_iso_lists():
    assert is_country("SG") and is_country("cn")
    assert not is_country("XX") and not is_country("")
    assert is_currency("USD") and is_currency("cny")
    assert not is_currency("RMB") and not is_currency("US")


def test_the_sector_vocabulary_starts_with_the_four_priority_sectors(db):
    sectors = list(Sector.objects.all())
    assert [s.code for s in sectors if s.is_priority] == [
        "financial-services",
        "aviation",
        "transport-logistics",
        "ict",
    ]
    assert len(sectors) == 13
    assert sectors[-1].code == "other"
