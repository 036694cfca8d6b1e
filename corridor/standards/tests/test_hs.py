"""The HS nomenclature: import, search, ancestry, the hs_import command, pages and API."""

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from corridor.standards import hs
from corridor.standards.models import HsCode

REPO_ROOT = Path(__file__).resolve().parents[3]
SHARED_HS = REPO_ROOT.parent / "shared" / "data" / "harmonized-system"
DEMO = REPO_ROOT / "corridor" / "standards" / "data"
DEMO_CODES = DEMO / "hs2022_demo.csv"
DEMO_SECTIONS = DEMO / "hs2022_sections_demo.csv"

needs_shared_data = pytest.mark.skipif(
    not (SHARED_HS / "harmonized-system.csv").exists(),
    reason=f"the shared HS data is not at {SHARED_HS}",
)

HEADER = "section,hscode,description,parent,level\n"
GOOD_ROWS = (
    "XVII,87,Vehicles,TOTAL,2\n"
    "XVII,8704,Vehicles; for the transport of goods,87,4\n"
    "XVII,870460,Vehicles; with only electric motor for propulsion,8704,6\n"
)


def level_counts(edition: str = "HS2022") -> dict[int, int]:
    return {
        level: HsCode.objects.filter(edition=edition, level=level).count()
        for level in HsCode.Level.values
    }


@pytest.fixture
def demo_codes(db):
    return hs.import_hs(DEMO_CODES, DEMO_SECTIONS)


# --- import ---------------------------------------------------------------------------------


@needs_shared_data
@pytest.mark.django_db
def test_import_of_the_full_nomenclature():
    report = hs.import_hs(
        SHARED_HS / "harmonized-system.csv", sections_path=SHARED_HS / "sections.csv"
    )

    assert (report.sections, report.chapters, report.headings, report.subheadings) == (
        21,
        97,
        1229,
        5613,
    )
    assert (report.created, report.updated) == (6960, 0)
    assert level_counts() == {1: 21, 2: 97, 4: 1229, 6: 5613}
    van = HsCode.objects.get(code="870460")
    assert van.description_en == "Vehicles; with only electric motor for propulsion"
    assert van.description_zh == ""
    assert van.edition == "HS2022"
    assert van.section == "XVII"
    assert [(c.level, c.code) for c in hs.ancestry("870460")] == [
        (1, "XVII"),
        (2, "87"),
        (4, "8704"),
        (6, "870460"),
    ]
    assert hs.ancestry("870460")[0].description_en == (
        "Vehicles, aircraft, vessels and associated transport equipment"
    )
    # The Comtrade file's chapter 99 (not specified according to kind) belongs to no section.
    assert HsCode.objects.get(code="99").parent is None


@needs_shared_data
@pytest.mark.django_db
def test_importing_again_updates_without_duplicates():
    path = SHARED_HS / "harmonized-system.csv"
    hs.import_hs(path, sections_path=SHARED_HS / "sections.csv")
    HsCode.objects.filter(code="870460").update(description_en="changed by hand")
    ids_before = dict(HsCode.objects.values_list("code", "pk"))

    report = hs.import_hs(path)

    assert (report.created, report.updated) == (0, 6960)
    assert HsCode.objects.count() == 6960
    assert dict(HsCode.objects.values_list("code", "pk")) == ids_before
    assert HsCode.objects.get(code="870460").description_en == (
        "Vehicles; with only electric motor for propulsion"
    )
    # Without a sections file, the sections keep their names.
    assert HsCode.objects.get(code="XVII").description_en == (
        "Vehicles, aircraft, vessels and associated transport equipment"
    )


@pytest.mark.django_db
def test_the_demo_subset_imports_with_its_sections(demo_codes):
    assert (demo_codes.sections, demo_codes.chapters) == (4, 4)
    assert level_counts() == {1: 4, 2: 4, 4: 38, 6: 235}
    assert list(HsCode.objects.filter(level=1).order_by("code").values_list("code", flat=True)) == [
        "I",
        "IV",
        "VI",
        "XVII",
    ]
    assert [c.code for c in hs.ancestry("160241")] == ["IV", "16", "1602", "160241"]
    assert HsCode.objects.get(code="1602").description_en == (
        "Prepared or preserved meat, meat offal, blood or insects"
    )


@pytest.mark.django_db
def test_an_edition_is_kept_apart(tmp_path):
    path = tmp_path / "codes.csv"
    path.write_text(HEADER + GOOD_ROWS)
    hs.import_hs(path, edition="HS2012")
    hs.import_hs(path)

    assert HsCode.objects.filter(code="870460").count() == 2
    assert [c.edition for c in hs.ancestry("870460", edition="HS2012")] == ["HS2012"] * 4
    # Without a sections file a section is named by its numeral.
    assert HsCode.objects.get(edition="HS2012", code="XVII").description_en == "Section XVII"


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (
            "section,hscode,description,level\n" + GOOD_ROWS,
            "Row 1 of {path}: the column “parent” is missing",
        ),
        (
            HEADER + GOOD_ROWS + "XVII,870510,Vehicles; crane lorries,8705,6\n",
            "Row 5 of {path} (code “870510”): the parent “8705” is not in the file",
        ),
        (
            HEADER + GOOD_ROWS + "XVII,870470,Vehicles; other,8704,8\n",
            "Row 5 of {path} (code “870470”): the level “8” is not 2, 4 or 6",
        ),
        (
            HEADER + "XVII,8704,Vehicles,87,4\n" + GOOD_ROWS,
            "Row 4 of {path} (code “8704”): the code already appears in row 2",
        ),
        (
            HEADER + GOOD_ROWS + "XVII,880460,Aircraft,8704,6\n",
            "Row 5 of {path} (code “880460”): the parent “8704” is not the code's chapter",
        ),
    ],
    ids=["missing column", "unknown parent", "bad level", "duplicate", "wrong parent"],
)
@pytest.mark.django_db
def test_a_malformed_file_is_refused_with_its_row_and_nothing_is_written(
    tmp_path, content, expected
):
    hs.import_hs(DEMO_CODES, DEMO_SECTIONS)
    before = list(HsCode.objects.values_list("edition", "code", "description_en", "parent"))
    path = tmp_path / "codes.csv"
    path.write_text(content)

    with pytest.raises(hs.HsImportError) as error:
        hs.import_hs(path)

    assert str(error.value).startswith(expected.format(path=path))
    assert list(HsCode.objects.values_list("edition", "code", "description_en", "parent")) == (
        before
    )


@pytest.mark.django_db
def test_a_section_missing_from_the_sections_file_is_refused(tmp_path):
    sections = tmp_path / "sections.csv"
    sections.write_text("\ufeffsection,name\nI,live animals; animal products\n")
    codes = tmp_path / "codes.csv"
    codes.write_text(HEADER + GOOD_ROWS)

    with pytest.raises(hs.HsImportError, match="section XVII is not in the sections file"):
        hs.import_hs(codes, sections_path=sections)
    assert HsCode.objects.count() == 0


# --- the command ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_hs_import_command_prints_the_counts():
    out = StringIO()
    call_command("hs_import", str(DEMO_CODES), "--sections", str(DEMO_SECTIONS), stdout=out)

    assert out.getvalue().strip() == (
        "HS2022: 4 sections, 4 chapters, 38 headings, 235 subheadings (281 created, 0 updated)."
    )


@pytest.mark.django_db
def test_hs_import_command_fails_with_the_row_on_bad_input(tmp_path):
    path = tmp_path / "codes.csv"
    path.write_text(HEADER + GOOD_ROWS + "XVII,870470,Vehicles; other,8799,6\n")

    with pytest.raises(CommandError) as error:
        call_command("hs_import", str(path), stdout=StringIO())

    assert "Row 5 of" in str(error.value)
    assert str(error.value).endswith("Nothing was imported.")
    assert HsCode.objects.count() == 0


# --- search and ancestry --------------------------------------------------------------------


def codes_of(results) -> list[str]:
    return [code.code for code in results]


@pytest.mark.django_db
def test_search_by_number_is_a_prefix_ignoring_dots_and_spaces(demo_codes):
    assert codes_of(hs.search("8704")) == [
        "8704",
        "870410",
        "870421",
        "870422",
        "870423",
        "870431",
        "870432",
        "870441",
        "870442",
        "870443",
        "870451",
        "870452",
        "870460",
        "870490",
    ]
    assert codes_of(hs.search("8704.60")) == ["870460"]
    assert codes_of(hs.search(" 8704 60 ")) == ["870460"]
    assert codes_of(hs.search("87", limit=3)) == ["87", "8701", "8702"]
    assert hs.search("9999") == []


@pytest.mark.django_db
def test_search_by_words_needs_every_word(demo_codes):
    # The same answer from PostgreSQL's full-text search and from the SQLite fallback.
    assert codes_of(hs.search("swine frozen carcasses")) == ["020321"]
    assert codes_of(hs.search("DUMPERS highway")) == ["870410"]
    assert codes_of(hs.search("electric motor public transport")) == ["870220", "870230", "870240"]
    assert hs.search("electric pork") == []
    assert hs.search("") == []


@pytest.mark.django_db
def test_search_by_section_numeral_lists_its_chapters(demo_codes):
    assert codes_of(hs.search("xvii")) == ["XVII", "87"]


@pytest.mark.django_db
def test_ancestry_of_many_codes_takes_one_query(demo_codes, django_assert_num_queries):
    codes = list(HsCode.objects.filter(code__startswith="8704"))
    with django_assert_num_queries(1):
        ancestries = hs.ancestries(codes)
    van = next(code for code in codes if code.code == "870460")
    assert codes_of(ancestries[van.pk]) == ["XVII", "87", "8704", "870460"]


@pytest.mark.django_db
def test_ancestry_of_an_unknown_code_raises(demo_codes):
    with pytest.raises(HsCode.DoesNotExist):
        hs.ancestry("999999")


# --- pages ----------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_browse_pages_show_ancestry_and_children(client, demo_codes, language):
    client.cookies["django_language"] = language

    index = client.get("/standards/hs/").content.decode()
    heading = client.get("/standards/hs/8704/").content.decode()

    assert f'<html lang="{language}">' in index
    assert 'href="/standards/hs/XVII/"' in index
    assert 'href="/standards/hs/87/"' in heading  # the breadcrumb
    assert 'href="/standards/hs/XVII/"' in heading
    assert 'href="/standards/hs/870460/"' in heading  # a child
    assert "Vehicles; with only electric motor for propulsion" in heading
    assert ('id="hs-language-note"' in heading) == (language == "zh-hans")


@pytest.mark.django_db
def test_code_page_query_count(client, demo_codes, django_assert_num_queries):
    with django_assert_num_queries(3):
        response = client.get("/standards/hs/870460/")
    assert response.status_code == 200
    assert "Vehicles; for the transport of goods" in response.content.decode()


@pytest.mark.django_db
def test_an_unknown_code_page_is_404(client, demo_codes):
    assert client.get("/standards/hs/999999/").status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_search_page_shows_code_level_description_and_ancestry(
    client, demo_codes, language, django_assert_num_queries
):
    client.cookies["django_language"] = language
    with django_assert_num_queries(2):
        response = client.get("/standards/hs/search/", {"q": "8704.60"})
    page = response.content.decode()

    assert response.status_code == 200
    assert 'href="/standards/hs/870460/"' in page
    assert "Vehicles; with only electric motor for propulsion" in page
    for ancestor in ("XVII", "87", "8704"):
        assert f'href="/standards/hs/{ancestor}/"' in page


@pytest.mark.django_db
def test_search_page_says_when_nothing_matches(client, demo_codes):
    page = client.get("/standards/hs/search/", {"q": "submarine"}).content.decode()
    assert "No HS code matches “submarine”." in page


# --- API ------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_api_search(client, demo_codes, language):
    client.cookies["django_language"] = language
    response = client.get("/api/standards/hs", {"q": "swine frozen carcasses"})

    assert response.status_code == 200
    [result] = response.json()
    assert result["code"] == "020321"
    assert result["level"] == 6
    assert result["description_en"] == "Meat; of swine, carcasses and half-carcasses, frozen"
    assert [a["code"] for a in result["ancestry"]] == ["I", "02", "0203"]


@pytest.mark.django_db
def test_api_search_limit(client, demo_codes):
    response = client.get("/api/standards/hs", {"q": "87", "limit": 2})
    assert [r["code"] for r in response.json()] == ["87", "8701"]
    assert client.get("/api/standards/hs", {"q": "87", "limit": 0}).status_code == 422


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_api_code_with_ancestry_and_children(client, demo_codes, language):
    client.cookies["django_language"] = language
    body = client.get("/api/standards/hs/8704").json()

    assert body["code"] == "8704"
    assert body["description_en"] == "Vehicles; for the transport of goods"
    assert [a["code"] for a in body["ancestry"]] == ["XVII", "87"]
    assert len(body["children"]) == 13
    assert body["children"][-2]["code"] == "870460"


@pytest.mark.django_db
def test_api_unknown_code_is_404_json(client, demo_codes):
    response = client.get("/api/standards/hs/999999")

    assert response.status_code == 404
    assert json.loads(response.content)["detail"] == "There is no HS code “999999” in HS2022."


@pytest.mark.django_db
def test_search_page_shows_the_first_fifty_and_says_so(client, demo_codes):
    page = client.get("/standards/hs/search/", {"q": "87"}).content.decode()

    assert (
        "More than 50 codes match “87”; the first 50 are shown. "
        "Make the search more precise to see the others."
    ) in page
    assert page.count('<td class="nowrap"><a href="/standards/hs/87') == 50


# --- everyday words, in English and Chinese -------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("words", "first"),
    [
        ("pork", ["0203", "160241", "160242", "160249"]),
        ("猪肉", ["0203", "160241", "160242", "160249"]),
        ("Pork", ["0203", "160241", "160242", "160249"]),
        ("electric van", ["870460"]),
        ("electric vans", ["870460"]),
        ("电动货车", ["870460"]),
        ("纯电动厢式货车", ["870460"]),
        ("腊肉", ["021011", "021012", "021019"]),
    ],
)
def test_everyday_words_find_their_headings_first(demo_codes, words, first):
    found = hs.search(words)

    assert codes_of(found)[: len(first)] == first
    assert found[0].found_by == words.lower()


@pytest.mark.django_db
def test_other_words_beside_a_term_narrow_its_codes(demo_codes):
    assert codes_of(hs.search("frozen pork")) == ["0203", "020321", "020322", "020329"]
    assert hs.search("electric pork") == []


@pytest.mark.django_db
def test_a_term_for_goods_outside_the_loaded_codes_falls_back_to_the_descriptions(demo_codes):
    # tea (0902) is not in the demo subset; "tea" is in no description of chapters 02, 16, 87
    assert hs.search("tea") == []
    assert hs.search("茶叶") == []


@pytest.mark.django_db
def test_the_knowledge_base_titles_lead_to_their_hs_prefixes(demo_codes):
    call_command("kb_load", stdout=StringIO())

    [found] = hs.search("型式认可")

    assert found.code == "8704"
    assert found.found_by == "车型型式认可（车辆认可编号）"


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_search_page_says_which_everyday_word_found_a_code(client, demo_codes, language):
    client.cookies["django_language"] = language

    page = client.get("/standards/hs/search/", {"q": "猪肉"}).content.decode()

    assert 'href="/standards/hs/0203/"' in page
    assert "Meat of swine; fresh, chilled or frozen" in page
    # under each of the four codes it found, the word that found it
    assert page.count('class="muted found-by"') == 4
    assert page.count("“猪肉”") == 5  # and once in "4 codes match “猪肉”"


@pytest.mark.django_db
def test_api_search_in_chinese(client, demo_codes):
    response = client.get("/api/standards/hs", {"q": "电动货车"})

    assert [r["code"] for r in response.json()] == ["870460"]
    assert [a["code"] for a in response.json()[0]["ancestry"]] == ["XVII", "87", "8704"]
