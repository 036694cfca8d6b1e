"""A scheduling run's codes in words: the one table from each code a run can report to
the sentence a reader sees. The codes are the solver's reasons a meeting was not placed and
its input errors (corridor/events/scheduling/core.py; stable strings, checked against this
table by the tests) and what befell the run itself (crash, superseded, worker lost).

Apart from the solver on purpose: pages and the API word a code without loading PySAT and
HiGHS."""

from django.utils.translation import gettext as gettext_now
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from corridor.core.bilingual import bilingual

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
    "no_interpreter": _(
        "the two sides share no working language and no interpreter for their languages "
        "is free in a slot they can both attend"
    ),
    "interpreter_busy": _(
        "in every slot where both sides and a table were free, all the interpreters for "
        "their languages were taken"
    ),
    "interpreter_capacity": _(
        "more meetings need an interpreter than the interpreters for their languages have "
        "free slots"
    ),
    "unknown_precedence": _("an order names a meeting that is not on the schedule"),
    "precedence_cycle": _("meetings are ordered in a circle, so no schedule can keep the order"),
    "precedence_impossible": _("the meetings cannot all take place in the order asked"),
    "precedence": _("a meeting that must come before it could not be placed"),
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


def _name(participant) -> str:
    return bilingual(participant.organisation, "name")


def _listed(names: list[str]) -> str:
    """Names in a list, with the active language's separator (", " / "、")."""
    listed = names[0] if names else ""
    for name in names[1:]:
        listed = gettext_now("%(list)s, %(item)s") % {"list": listed, "item": name}
    return listed


def _meeting(meeting, side_id: str | None = None) -> str:
    """ "X with Y", or "Y" alone when seen from X's side."""
    if side_id is not None and str(meeting.requester_id) == side_id:
        return _name(meeting.requested)
    if side_id is not None and str(meeting.requested_id) == side_id:
        return _name(meeting.requester)
    return gettext_now("%(first)s with %(second)s") % {
        "first": _name(meeting.requester),
        "second": _name(meeting.requested),
    }


def explained(error: dict, meetings: dict, labels: dict) -> str:
    """A run's error as one sentence naming who and when: for an impossible order, the
    participant, how many slots it has before the meeting's last possible slot, and the
    meetings it must hold before then ("Qingling Motors has 2 free slots before 10:30 but
    must meet A, B and C before its meeting with D"). `meetings` maps a meeting key to the
    MeetingRequest, `labels` a 0-based slot to its label. Other codes: `in_words`."""
    code = error.get("code", "")
    others = [meetings[str(k)] for k in error.get("others") or [] if str(k) in meetings]
    meeting = meetings.get(str(error.get("meeting")))
    if code == "precedence_impossible" and meeting is not None and others:
        side = error.get("participant")
        person = None
        if side is not None:
            for m in [meeting, *others]:
                for p in (m.requester, m.requested):
                    if str(p.pk) == str(side):
                        person = p
        count = error.get("count") or 0
        slot = error.get("slot")
        when = labels.get(slot, "") if slot is not None else ""
        if person is not None:
            mine = str(person.pk)
            if str(meeting.requester_id) == mine or str(meeting.requested_id) == mine:
                target = gettext_now("its meeting with %(name)s") % {
                    "name": _meeting(meeting, mine)
                }
            else:
                target = gettext_now("the meeting %(meeting)s") % {"meeting": _meeting(meeting)}
            text = ngettext(
                "%(name)s has %(count)d free slot before %(when)s but must meet %(others)s "
                "before %(target)s.",
                "%(name)s has %(count)d free slots before %(when)s but must meet %(others)s "
                "before %(target)s.",
                count,
            )
            sentence = text % {
                "name": _name(person),
                "count": count,
                "when": when,
                "others": _listed([_meeting(m, mine) for m in others]),
                "target": target,
            }
            # a name that ends with a full stop ("Pte. Ltd.") ends the sentence too
            return sentence[:-1] if sentence.endswith("..") else sentence
        return gettext_now(
            "The meeting %(meeting)s has no slot left between the meetings it must follow "
            "and those it must precede: %(others)s."
        ) % {"meeting": _meeting(meeting), "others": _listed([_meeting(m) for m in others])}
    if code == "precedence_cycle" and others:
        circle = [*others, others[0]]
        return gettext_now("These meetings are ordered in a circle: %(circle)s.") % {
            "circle": " → ".join(_meeting(m) for m in circle)
        }
    return in_words(code)
