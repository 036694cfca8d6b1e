"""A scheduling run's codes in words: the one table from each code a run can report to
the sentence a reader sees. The codes are the solver's reasons a meeting was not placed and
its input errors (corridor/events/scheduling/core.py; stable strings, checked against this
table by the tests) and what befell the run itself (crash, superseded, worker lost).

Apart from the solver on purpose: pages and the API word a code without loading PySAT and
HiGHS."""

from django.utils.translation import gettext_lazy as _

TEXTS = {
    # why a meeting was not placed (Schedule.unplaced), also input errors (ProblemError)
    "no_common_slot": _("the two sides share no free slot"),
    "capacity": _("no slot had a free table for both sides"),
    "participant_overbooked": _("a participant has more meetings than slots"),
    "fixed_conflict": _("it clashes with a locked meeting"),
    "fixed_unavailable": _("a side is unavailable in its locked slot"),
    "fixed_overlap": _("a side has two locked meetings in one slot"),
    "fixed_capacity": _("more locked meetings in one slot than tables"),
    "unknown_participant": _("a side is no longer registered"),
    "same_participant": _("a meeting has the same participant on both sides"),
    "duplicate_meeting": _("the same meeting is listed twice"),
    "unknown_session": _("a meeting names a session the event does not have"),
    "slot_out_of_range": _("a locked slot is outside the event's slots"),
    "not_scheduled": _("the scheduler found no schedule within the time limit"),
    "bad_problem": _("the scheduler could not read the event's meetings"),
    # what befell the run (planning.py, tasks.py, migration 0002)
    "crash": _("the scheduler stopped with an internal error"),
    "superseded": _("another run for this event was under way at the same time"),
    "worker_lost": _(
        "the background worker stopped while solving, too many times; start the run again"
    ),
}
UNKNOWN = _("the scheduler could not place it")


def in_words(code: str) -> str:
    """The sentence for a code, in the active language."""
    return str(TEXTS.get(code, UNKNOWN))
