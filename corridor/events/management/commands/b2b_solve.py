"""python manage.py b2b_solve PATH.dzn [--time-limit S] [--fairness D]

Solves one B2B meeting-scheduling benchmark file (MiniZinc data, as in
../shared/data/b2b) with the product's scheduler and prints one JSON object:
{"instance", "breaks", "optimal", "bound", "seconds", "meetings": [[p1, p2, slot], ...]},
participants and slots numbered from 1 as in the file.
"""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from corridor.events import scheduling


def dzn_error_message(error: scheduling.DznError) -> str:
    """The reader's error as a sentence in the user's language, naming field and line."""
    detail = error.detail
    where = {"field": error.field, "line": error.line}
    if error.code == "missing_field":
        return _("The file has no “%(field)s”; add it and try again.") % where
    if error.code == "syntax":
        return _(
            "Line %(line)d: the file cannot be read near “%(text)s”; check the MiniZinc syntax there."
        ) % {**where, "text": detail.get("text", "")}
    if error.code == "not_integer":
        return _("Line %(line)d: “%(field)s” must be a whole number.") % where
    if error.code in ("too_small", "too_large"):
        return _("Line %(line)d: “%(field)s” has the value %(value)s, which is out of range.") % {
            **where,
            "value": detail.get("value"),
        }
    if error.code == "wrong_length":
        return _(
            "Line %(line)d: “%(field)s” has %(found)d entries where %(expected)d are needed."
        ) % {**where, "found": detail["found"], "expected": detail["expected"]}
    if error.code in (
        "participant_out_of_range",
        "slot_out_of_range",
        "meeting_out_of_range",
        "bad_session",
        "bad_row",
    ):
        return _(
            "Line %(line)d: entry %(row)d of “%(field)s” holds an impossible value (%(value)s)."
        ) % {**where, "row": detail.get("row", 0), "value": detail.get("value", "")}
    if error.code == "inconsistent_count":
        return _(
            "Line %(line)d: “%(field)s” says participant %(row)d has %(value)s meetings, "
            "but “requested” lists %(expected)s."
        ) % {**where, **detail}
    return _("Line %(line)d: “%(field)s” cannot be read.") % where


class Command(BaseCommand):
    help = "Solve a B2B meeting-scheduling benchmark file (.dzn) and print the schedule as JSON."

    def add_arguments(self, parser):
        parser.add_argument(
            "path", help="a MiniZinc data file such as ../shared/data/b2b/tic-12.original.dzn"
        )
        parser.add_argument("--time-limit", type=float, default=60.0, help="seconds (default 60)")
        parser.add_argument(
            "--fairness",
            type=int,
            default=2,
            help="most breaks between any two participants (default 2)",
        )

    def handle(self, *args, path, time_limit, fairness, **options):
        file = Path(path)
        try:
            text = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(
                _("The file %(path)s cannot be read: %(reason)s") % {"path": path, "reason": error}
            ) from error
        try:
            problem = scheduling.read_dzn(text, fairness=fairness, time_limit=time_limit)
        except scheduling.DznError as error:
            raise CommandError(dzn_error_message(error)) from error
        schedule = scheduling.solve(problem)
        if schedule.status == "invalid":
            codes = ", ".join(sorted({e.code for e in schedule.errors}))
            raise CommandError(
                _("The file describes a problem that cannot be scheduled: %(codes)s.")
                % {"codes": codes}
            )
        meetings = {m.key: m for m in problem.meetings}
        placed = sorted(
            (
                [int(meetings[key].a), int(meetings[key].b), slot + 1]
                for key, slot in schedule.slot_of.items()
            ),
            key=lambda row: (row[2], row[0], row[1]),
        )
        result = {
            "instance": file.name.split(".")[0],
            "status": schedule.status,
            "breaks": schedule.breaks if schedule.status in ("optimal", "feasible") else None,
            "optimal": schedule.optimal,
            "bound": schedule.bound,
            "seconds": round(schedule.seconds, 3),
            "meetings": placed if schedule.status in ("optimal", "feasible") else [],
        }
        self.stdout.write(json.dumps(result))
