"""Everyday names of goods and services in English and Chinese (`data/terms.yaml`): which
names a search contains, each with the other names of its entry and, for goods, the HS 2022
codes they lead to. HS search and directory search both use it; plain Python, no Django."""

import functools
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

TERMS_FILE = Path(__file__).parent / "data" / "terms.yaml"
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


@dataclass(frozen=True)
class Term:
    """One name (lower case), the HS codes of its entry (none for a service), and every
    name of its entry in both languages (itself included)."""

    text: str
    codes: tuple[str, ...]
    names: tuple[str, ...]


@functools.cache
def terms() -> tuple[Term, ...]:
    """Every name of the file, longest first (so "electric van" is tried before "van"), read
    once per process."""
    with open(TERMS_FILE, encoding="utf-8") as handle:
        entries = yaml.safe_load(handle)["terms"]
    found = []
    for entry in entries:
        names = tuple(
            dict.fromkeys(
                str(n).strip().lower() for n in [*entry.get("en", []), *entry.get("zh", [])]
            )
        )
        codes = tuple(str(code) for code in entry.get("codes") or [])
        found.extend(Term(text=name, codes=codes, names=names) for name in names)
    return tuple(sorted(found, key=lambda term: -len(term.text)))


@functools.cache
def _pattern(text: str) -> re.Pattern:
    """A Chinese name matches anywhere (Chinese has no spaces); an English one as whole
    words."""
    if CJK.search(text):
        return re.compile(re.escape(text))
    return re.compile(rf"(?<![\w-]){re.escape(text)}(?![\w-])")


def terms_in(query: str) -> tuple[list[Term], str]:
    """The names the search contains (longest first, none overlapping another) and what is
    left of the search once they are taken out."""
    rest = (query or "").lower()
    found = []
    for term in terms():
        pattern = _pattern(term.text)
        if pattern.search(rest):
            found.append(term)
            rest = pattern.sub(" ", rest)
    return found, rest
