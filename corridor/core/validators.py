"""Checks on text that people type, shared by forms and the API.

Names and titles are shown everywhere (lists, agendas, PDFs, e-mails): one line, with no
control character and no bidirectional override, which would reverse or hide the text around
them ("Trojan Source" spoofing). Other text fields (descriptions, messages) may hold line
breaks; every text field refuses the NUL character, which no database text column stores
(corridor.core.middleware refuses it for every input at once).
"""

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# LRE, RLE, PDF, LRO, RLO (U+202A–U+202E) and LRI, RLI, FSI, PDI (U+2066–U+2069).
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _code_point(character: str) -> str:
    return f"U+{ord(character):04X}"


def _first_problem(value: str, field: str, *, allowed: frozenset[str], control: str) -> str:
    """The sentence for the first character of `value` that a text may not hold: a
    bidirectional override, or a control character not `allowed` (`control` says why)."""
    for character in value:
        if character in BIDI_CONTROLS:
            reason = _(
                "“%(field)s” contains a bidirectional override (%(code)s), which can disguise "
                "the text around it; remove it."
            )
        elif unicodedata.category(character) == "Cc" and character not in allowed:
            reason = control
        else:
            continue
        return reason % {"field": field, "code": _code_point(character)}
    return ""


def name_text_problem(value: str, field: str) -> str:
    """Why `value` cannot be the name or title `field`, as a sentence; "" when it can."""
    return _first_problem(
        value,
        field,
        allowed=frozenset(),
        control=_(
            "“%(field)s” contains a control character (%(code)s); a name or a title is "
            "one line of plain text."
        ),
    )


def validate_name_text(value: str, field: str) -> None:
    problem = name_text_problem(value or "", field)
    if problem:
        raise ValidationError(problem, code="name_text")


# Line breaks and tabs are allowed in longer text (a description, a message).
TEXT_WHITESPACE = frozenset("\n\r\t")


def long_text_problem(value: str, field: str) -> str:
    """Why `value` cannot be the text `field` (a message, a description: line breaks allowed,
    other control characters and bidirectional overrides not), as a sentence; "" when it can."""
    return _first_problem(
        value,
        field,
        allowed=TEXT_WHITESPACE,
        control=_(
            "“%(field)s” contains a control character (%(code)s); remove it and send the "
            "text again."
        ),
    )
