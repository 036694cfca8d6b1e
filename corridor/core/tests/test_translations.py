"""A test fails when a template or Python string is left untranslated.

The strings are extracted the way `make messages` extracts them (Django's makemessages for
zh_Hans, with --no-obsolete), but from a temporary copy of the code into a temporary
catalogue, so the repository's files are never touched. Every extracted message must be in the
committed catalogue, translated and not fuzzy; and the committed .mo must be the compiled
form of the committed .po.
"""

import contextlib
import shutil
from pathlib import Path

import polib
import pytest
from django.core.management import call_command
from django.test import override_settings

REPO = Path(__file__).resolve().parents[3]
CATALOGUE = REPO / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
COMPILED = CATALOGUE.with_suffix(".mo")
# The files `make messages` reads: the package, and the top-level files (not .venv, bench, var).
EXTRACTED_SUFFIXES = {".py", ".html", ".txt"}

needs_gettext = pytest.mark.skipif(
    shutil.which("xgettext") is None or shutil.which("msguniq") is None,
    reason="GNU gettext (xgettext, msguniq) is not installed; install the gettext package.",
)


def extract_messages(source_root: Path, work_dir: Path) -> polib.POFile:
    """The zh_Hans catalogue makemessages would write for the code under `source_root`,
    written into `work_dir` instead of the source's own locale folder."""
    copy = work_dir / "source"
    shutil.copytree(
        source_root / "corridor",
        copy / "corridor",
        ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "locale"),
    )
    for path in source_root.iterdir():
        if path.is_file() and path.suffix in EXTRACTED_SUFFIXES:
            shutil.copy2(path, copy / path.name)
    locale = copy / "locale"
    locale.mkdir()
    with override_settings(LOCALE_PATHS=[locale]), contextlib.chdir(copy):
        call_command("makemessages", locale=["zh_Hans"], no_obsolete=True, verbosity=0)
    return polib.pofile(str(locale / "zh_Hans" / "LC_MESSAGES" / "django.po"))


def _where(entry: polib.POEntry) -> str:
    places = ", ".join(f"{file}:{line}" for file, line in entry.occurrences[:3])
    more = len(entry.occurrences) - 3
    return places + (f" and {more} more" if more > 0 else "")


def catalogue_problems(extracted: polib.POFile, committed: polib.POFile) -> list[str]:
    """Each extracted message that the committed catalogue lacks, leaves untranslated or
    marks fuzzy, as one line naming the message and where the code uses it."""
    translations = {(e.msgctxt, e.msgid): e for e in committed if not e.obsolete}
    problems = []
    for entry in extracted:
        found = translations.get((entry.msgctxt, entry.msgid))
        if found is None:
            problems.append(f"missing from the catalogue: {entry.msgid!r} ({_where(entry)})")
        elif "fuzzy" in found.flags:
            problems.append(f"marked fuzzy: {entry.msgid!r} ({_where(entry)})")
        elif not found.translated():
            problems.append(f"not translated: {entry.msgid!r} ({_where(entry)})")
    return problems


def compiled_messages(mo: polib.MOFile) -> set[tuple]:
    return {
        (
            entry.msgctxt,
            entry.msgid,
            entry.msgid_plural,
            entry.msgstr,
            tuple(sorted((int(k), v) for k, v in entry.msgstr_plural.items())),
        )
        for entry in mo
    }


def compiled_differences(po_path: Path, mo_path: Path, work_dir: Path) -> set[tuple]:
    """Messages on which the committed .mo and the .po compiled afresh disagree."""
    fresh = work_dir / "fresh.mo"
    polib.pofile(str(po_path)).save_as_mofile(str(fresh))
    expected = compiled_messages(polib.mofile(str(fresh)))
    actual = compiled_messages(polib.mofile(str(mo_path)))
    return expected ^ actual


# --- the repository's catalogue ------------------------------------------------------------


@needs_gettext
def test_every_string_of_the_code_is_translated_in_the_committed_catalogue(tmp_path):
    assert CATALOGUE.exists(), (
        f"The catalogue {CATALOGUE.relative_to(REPO)} is missing: run `make messages` and "
        "translate every entry."
    )
    problems = catalogue_problems(extract_messages(REPO, tmp_path), polib.pofile(str(CATALOGUE)))

    assert problems == [], (
        f"{len(problems)} strings are not translated into Simplified Chinese. Run "
        "`make messages`, translate them in locale/zh_Hans/LC_MESSAGES/django.po, then "
        "compile:\n" + "\n".join(problems)
    )


def test_the_committed_compiled_catalogue_is_up_to_date(tmp_path):
    assert CATALOGUE.exists() and COMPILED.exists(), (
        f"{CATALOGUE.relative_to(REPO)} and its compiled {COMPILED.name} must both be "
        "committed: run `make messages`."
    )
    differences = compiled_differences(CATALOGUE, COMPILED, tmp_path)

    assert differences == set(), (
        f"{COMPILED.relative_to(REPO)} does not match the .po ({len(differences)} messages "
        "differ); run `make messages` to compile it again:\n"
        + "\n".join(sorted(repr(d[1]) for d in differences))
    )


# --- the checker itself, on a tiny project -------------------------------------------------


def tiny_project(root: Path) -> Path:
    package = root / "project" / "corridor"
    (package / "templates").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "greetings.py").write_text(
        "from django.utils.translation import gettext as _\n\n\ndef hello():\n"
        '    return _("Hello, corridor.")\n'
    )
    (package / "templates" / "page.html").write_text(
        '{% load i18n %}<p>{% translate "Welcome" %}</p>\n'
    )
    return root / "project"


def catalogue(translations: dict[str, str], fuzzy: tuple[str, ...] = ()) -> polib.POFile:
    po = polib.POFile()
    po.metadata = {"Content-Type": "text/plain; charset=UTF-8", "Language": "zh_Hans"}
    for msgid, msgstr in translations.items():
        po.append(
            polib.POEntry(msgid=msgid, msgstr=msgstr, flags=["fuzzy"] if msgid in fuzzy else [])
        )
    return po


@needs_gettext
def test_the_checker_accepts_a_project_whose_strings_are_all_translated(tmp_path):
    extracted = extract_messages(tiny_project(tmp_path), tmp_path)

    assert sorted(e.msgid for e in extracted) == ["Hello, corridor.", "Welcome"]
    complete = catalogue({"Hello, corridor.": "你好，走廊。", "Welcome": "欢迎"})
    assert catalogue_problems(extracted, complete) == []


@needs_gettext
def test_the_checker_names_missing_untranslated_and_fuzzy_strings(tmp_path):
    extracted = extract_messages(tiny_project(tmp_path), tmp_path)

    assert catalogue_problems(extracted, catalogue({"Welcome": "欢迎"})) == [
        "missing from the catalogue: 'Hello, corridor.' (corridor/greetings.py:5)"
    ]
    assert catalogue_problems(
        extracted, catalogue({"Hello, corridor.": "", "Welcome": "欢迎"})
    ) == ["not translated: 'Hello, corridor.' (corridor/greetings.py:5)"]
    assert catalogue_problems(
        extracted,
        catalogue({"Hello, corridor.": "你好", "Welcome": "欢迎"}, fuzzy=("Welcome",)),
    ) == ["marked fuzzy: 'Welcome' (corridor/templates/page.html:1)"]


def test_the_checker_notices_a_stale_compiled_catalogue(tmp_path):
    po_path, mo_path = tmp_path / "django.po", tmp_path / "django.mo"
    catalogue({"Welcome": "欢迎"}).save(str(po_path))
    polib.pofile(str(po_path)).save_as_mofile(str(mo_path))
    assert compiled_differences(po_path, mo_path, tmp_path) == set()

    catalogue({"Welcome": "欢迎光临"}).save(str(po_path))

    assert {d[3] for d in compiled_differences(po_path, mo_path, tmp_path)} == {"欢迎", "欢迎光临"}
