"""The bilingual names of goods and services that HS search and directory search share."""

from corridor.core import terms


def names_in(query: str) -> list[str]:
    return [term.text for term in terms.terms_in(query)[0]]


def test_the_longest_name_wins_and_its_words_are_not_matched_again():
    found, rest = terms.terms_in("Electric van parts")

    assert [term.text for term in found] == ["electric van"]
    assert found[0].codes == ("870460",)
    assert "电动货车" in found[0].names and "electric vans" in found[0].names
    assert rest.split() == ["parts"]


def test_english_names_match_whole_words_and_chinese_names_anywhere():
    assert names_in("evangelist caravans") == []  # neither "van" nor "vans"
    assert names_in("冷冻猪肉出口") == ["冷冻猪肉"]
    assert names_in("pork and beef") == ["pork", "beef"]


def test_every_entry_names_goods_in_both_languages_and_codes_are_hs_digits():
    for term in terms.terms():
        assert any(terms.CJK.search(name) for name in term.names), term.text
        assert any(not terms.CJK.search(name) for name in term.names), term.text
        assert all(code.isdigit() and len(code) in (2, 4, 6) for code in term.codes), term.text
