"""Reading the MiniZinc data files of the B2B benchmark (Bofill et al., JAIR 2022;
/work/shared/data/b2b). Part of `corridor.events.scheduling`; no Django import.

The file numbers participants, meetings and slots from 1; the problem built here keeps the
participant and meeting numbers as keys ("1", "2", ...) and makes slots 0-based. Session 1
is the morning (`nMorningSlots` first slots), 2 the afternoon, 3 either. Forbidden sets use
0 as a placeholder for "none"; `fixed` holds a slot or 0. `precedences` (the paper's
`prec15`/`prec25` variants) is an array of one set per meeting, 1-based meeting numbers,
`{}` or `{0}` for none. We read `precedences[i] = {j, ...}` as "meetings j come before
meeting i" (slot(j) < slot(i)). The research note (../shared/research/b2b-scheduling.md)
names the parameter and its 1-based meeting ids but not the direction, and the published
prec15/prec25 files are not in ../shared/data: predecessors per meeting is our reading. A
file meant the other way round reads as its mirror problem (slots reversed, same breaks).
"""

from __future__ import annotations

import dataclasses
import re

from corridor.events.scheduling.core import ANY, Meeting, Problem

TOKEN = re.compile(
    r"\s*(?:(%[^\n]*)|([A-Za-z_][A-Za-z0-9_]*)|(-?\d+)|(\.\.|\[\||\|\]|[=;\[\]{},|]))"
)
SESSIONS = {1: "am", 2: "pm", 3: ANY}


@dataclasses.dataclass
class DznError(ValueError):
    """A data file that cannot be read. `code` says what is wrong, `field` and `line` where
    (line is 1-based; 0 when the field is missing); `detail` holds the numbers the message
    needs. The management command turns these into a translated message."""

    code: str
    field: str = ""
    line: int = 0
    detail: dict = dataclasses.field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.code} in {self.field or 'file'} at line {self.line}: {self.detail}"


def _tokens(text: str) -> list[tuple[str, str, int]]:
    """(kind, text, line) tokens; comments dropped. Kinds: name, int, sym."""
    tokens, position, line = [], 0, 1
    while position < len(text):
        match = TOKEN.match(text, position)
        if match is None or match.end() == position:
            rest = text[position:].lstrip()
            if not rest:
                break
            line += text[position : len(text) - len(rest)].count("\n")
            raise DznError("syntax", line=line, detail={"text": rest[:20]})
        line += text[position : match.start(match.lastindex)].count("\n")
        kind = ("comment", "name", "int", "sym")[match.lastindex - 1]
        if kind != "comment":
            tokens.append((kind, match.group(match.lastindex), line))
        position = match.end()
    return tokens


class Rows(list):
    """The rows of a 2-D array, with the line each row starts on."""

    lines: list[int]


class _Parser:
    """Statements `name = value;` where a value is an integer, a set `{..}` or `a..b`, an
    array `[...]` or a 2-D array `[| .. | .. |]`."""

    def __init__(self, text: str):
        self.tokens = _tokens(text)
        self.at = 0

    def peek(self) -> tuple[str, str, int]:
        if self.at >= len(self.tokens):
            last = self.tokens[-1][2] if self.tokens else 1
            return ("end", "", last)
        return self.tokens[self.at]

    def take(self, name: str, expected: str) -> tuple[str, str, int]:
        token = self.peek()
        if token[1] != expected:
            raise DznError("syntax", field=name, line=token[2], detail={"text": token[1]})
        self.at += 1
        return token

    def statements(self) -> dict[str, tuple[object, int]]:
        values: dict[str, tuple[object, int]] = {}
        while self.peek()[0] != "end":
            kind, name, line = self.peek()
            if kind != "name":
                raise DznError("syntax", line=line, detail={"text": name})
            self.at += 1
            self.take(name, "=")
            values[name] = (self.value(name), line)
            self.take(name, ";")
        return values

    def value(self, name: str) -> object:
        kind, text, line = self.peek()
        if kind == "int":
            self.at += 1
            if self.peek()[1] == "..":
                self.at += 1
                high = self.integer(name)
                return frozenset(range(int(text), high + 1))
            return int(text)
        if text == "{":
            self.at += 1
            items = self.items(name, "}")
            return frozenset(self.ints(name, items, line))
        if text == "[|":
            self.at += 1
            rows, row, lines = Rows(), [], []
            rows.lines = lines
            while True:
                token = self.peek()
                if token[1] == "|]":
                    self.at += 1
                    if row:
                        rows.append(row)
                    return rows
                if token[1] == "|":
                    self.at += 1
                    rows.append(row)
                    row = []
                    continue
                if not row:
                    lines.append(token[2])
                if token[1] == ",":
                    self.at += 1
                    continue
                if token[0] == "end":
                    raise DznError("syntax", field=name, line=token[2], detail={"text": ""})
                row.append(self.value(name))
        if text == "[":
            self.at += 1
            return self.items(name, "]")
        raise DznError("syntax", field=name, line=line, detail={"text": text})

    def items(self, name: str, close: str) -> list[object]:
        items: list[object] = []
        while True:
            token = self.peek()
            if token[1] == close:
                self.at += 1
                return items
            if token[0] == "end":
                raise DznError("syntax", field=name, line=token[2], detail={"text": ""})
            items.append(self.value(name))
            if self.peek()[1] == ",":
                self.at += 1

    def integer(self, name: str) -> int:
        kind, text, line = self.peek()
        if kind != "int":
            raise DznError("not_integer", field=name, line=line, detail={"text": text})
        self.at += 1
        return int(text)

    @staticmethod
    def ints(name: str, items: list[object], line: int) -> list[int]:
        for item in items:
            if not isinstance(item, int):
                raise DznError("not_integer", field=name, line=line, detail={"text": str(item)})
        return items  # type: ignore[return-value]


def _number(values: dict, name: str, minimum: int) -> int:
    if name not in values:
        raise DznError("missing_field", field=name)
    value, line = values[name]
    if not isinstance(value, int):
        raise DznError("not_integer", field=name, line=line, detail={"text": str(value)[:20]})
    if value < minimum:
        raise DznError(
            "too_small", field=name, line=line, detail={"value": value, "minimum": minimum}
        )
    return value


def _array(values: dict, name: str, length: int, required: bool = True) -> tuple[list, int]:
    if name not in values:
        if required:
            raise DznError("missing_field", field=name)
        return [], 0
    value, line = values[name]
    if not isinstance(value, list) or len(value) != length:
        found = len(value) if isinstance(value, list) else 1
        raise DznError(
            "wrong_length", field=name, line=line, detail={"expected": length, "found": found}
        )
    return value, line


def _sets(values: dict, name: str, length: int, maximum: int, code: str) -> list[frozenset]:
    """An optional array of `length` sets of numbers from 0 to `maximum` (0 stands for none);
    a row that is not such a set raises `code`."""
    rows, line = _array(values, name, length, required=False)
    for number, row in enumerate(rows, start=1):
        if not isinstance(row, frozenset) or any(not 0 <= v <= maximum for v in row):
            raise DznError(
                code,
                field=name,
                line=line,
                detail={
                    "row": number,
                    "value": sorted(row) if isinstance(row, frozenset) else row,
                    "maximum": maximum,
                },
            )
    return rows


def read_dzn(text: str, *, fairness: int | None = 2, time_limit: float = 30.0) -> Problem:
    """The problem of one benchmark data file; raises DznError naming the field and line."""
    values = _Parser(text).statements()
    people = _number(values, "nBusiness", 2)
    count = _number(values, "nMeetings", 0)
    tables = _number(values, "nTables", 1)
    slots = _number(values, "nTotalSlots", 1)
    morning = _number(values, "nMorningSlots", 0)
    if morning > slots:
        raise DznError(
            "too_large",
            field="nMorningSlots",
            line=values["nMorningSlots"][1],
            detail={"value": morning, "maximum": slots},
        )
    rows, line = _array(values, "requested", count)
    meetings = []
    row_lines = getattr(rows, "lines", [])
    for number, row in enumerate(rows, start=1):
        line = row_lines[number - 1] if number <= len(row_lines) else line
        if not isinstance(row, list) or len(row) != 3 or not all(isinstance(v, int) for v in row):
            raise DznError("bad_row", field="requested", line=line, detail={"row": number})
        a, b, session = row
        for p in (a, b):
            if not 1 <= p <= people:
                raise DznError(
                    "participant_out_of_range",
                    field="requested",
                    line=line,
                    detail={"row": number, "value": p, "maximum": people},
                )
        if session not in SESSIONS:
            raise DznError(
                "bad_session",
                field="requested",
                line=line,
                detail={"row": number, "value": session},
            )
        meetings.append([str(number), str(a), str(b), SESSIONS[session], None])
    fixed, line = _array(values, "fixed", count, required=False)
    for number, slot in enumerate(fixed, start=1):
        if not isinstance(slot, int) or not 0 <= slot <= slots:
            raise DznError(
                "slot_out_of_range",
                field="fixed",
                line=line,
                detail={"row": number, "value": slot, "maximum": slots},
            )
        if slot:
            meetings[number - 1][4] = slot - 1
    forbidden = {
        str(number): frozenset(t - 1 for t in slot_set if t)
        for number, slot_set in enumerate(
            _sets(values, "forbidden", people, slots, "slot_out_of_range"), start=1
        )
        if slot_set - {0}
    }
    precedences = _sets(values, "precedences", count, count, "meeting_out_of_range")
    pairs = [
        (str(j), str(number))
        for number, before in enumerate(precedences, start=1)
        for j in sorted(before - {0})
    ]
    per_person, line = _array(values, "nMeetingsBusiness", people, required=False)
    if per_person:
        counted = [0] * (people + 1)
        for _, a, b, _, _ in meetings:
            counted[int(a)] += 1
            counted[int(b)] += 1
        for number, stated in enumerate(per_person, start=1):
            if stated != counted[number]:
                raise DznError(
                    "inconsistent_count",
                    field="nMeetingsBusiness",
                    line=line,
                    detail={"row": number, "value": stated, "expected": counted[number]},
                )
    return Problem(
        participants=tuple(str(p) for p in range(1, people + 1)),
        slots=slots,
        tables=tables,
        meetings=tuple(
            Meeting(key=key, a=a, b=b, session=session, fixed_slot=slot)
            for key, a, b, session, slot in meetings
        ),
        sessions={"am": frozenset(range(morning)), "pm": frozenset(range(morning, slots))},
        forbidden=forbidden,
        fairness=fairness,
        time_limit=time_limit,
        precedences=tuple(pairs),
    )
