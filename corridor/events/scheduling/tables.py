"""Tables for a schedule: which table each placed meeting takes. Part of
`corridor.events.scheduling`; no Django import."""

from __future__ import annotations

from collections import defaultdict

from corridor.events.scheduling.core import Meeting, Problem


class TableError(ValueError):
    """Tables cannot be given as asked; `code` says why, `slot` and `meeting` where."""

    def __init__(self, code: str, slot: int | None = None, meeting: str | None = None):
        super().__init__(f"{code} (slot {slot}, meeting {meeting})")
        self.code, self.slot, self.meeting = code, slot, meeting


def assign_tables(
    problem: Problem, slot_of: dict[str, int], host_table: dict[str, int] | None = None
) -> dict[str, int]:
    """A table (0-based) per placed meeting. A host with a fixed table (exhibitor booth)
    has all its meetings there; the other meetings take the free tables, keeping a
    participant at the table of their previous meeting when it is free, so people walk
    less. Raises TableError when a slot cannot seat its meetings this way."""
    host_table = host_table or {}
    for host, table in host_table.items():
        if not 0 <= table < problem.tables:
            raise TableError("table_out_of_range", meeting=host)
    meetings = {m.key: m for m in problem.meetings}
    by_slot: dict[int, list[Meeting]] = defaultdict(list)
    for key, t in slot_of.items():
        by_slot[t].append(meetings[key])
    table_of: dict[str, int] = {}
    last_table: dict[str, int] = {}
    for t in sorted(by_slot):
        taken: dict[int, str] = {}
        rest = []
        for meeting in sorted(by_slot[t], key=lambda m: m.key):
            hosts = {host_table[p] for p in (meeting.a, meeting.b) if p in host_table}
            if len(hosts) > 1:
                raise TableError("two_host_tables", slot=t, meeting=meeting.key)
            if not hosts:
                rest.append(meeting)
                continue
            (table,) = hosts
            if table in taken:
                raise TableError("host_table_taken", slot=t, meeting=meeting.key)
            taken[table] = meeting.key
            table_of[meeting.key] = table
        reserved = set(host_table.values())
        for meeting in rest:
            table = _table_for(meeting, taken, last_table, reserved, problem.tables)
            if table is None:
                raise TableError("no_free_table", slot=t, meeting=meeting.key)
            taken[table] = meeting.key
            table_of[meeting.key] = table
        for meeting in by_slot[t]:
            for p in (meeting.a, meeting.b):
                last_table[p] = table_of[meeting.key]
    return table_of


def _table_for(meeting, taken, last_table, reserved, tables) -> int | None:
    """The previous table of one of the two participants if free, else the first free
    table that no host owns, else any free table."""
    for p in (meeting.a, meeting.b):
        table = last_table.get(p)
        if table is not None and table not in taken and table not in reserved:
            return table
    free = [table for table in range(tables) if table not in taken]
    unreserved = [table for table in free if table not in reserved]
    return (unreserved or free or [None])[0]
