"""The event day for organisers: who is absent, the meetings still to come, and the two
late changes (a participant absent for the rest of the day, a meeting cancelled), each
behind a confirmation page that shows what the re-plan will move and who will be told."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from corridor.core.views import post_action
from corridor.events import checkin, clock, permissions, queries, replan
from corridor.events.models import Absence
from corridor.events.views.shared import (
    day_text,
    names,
    participant_of,
    request_of,
    slot_labels,
    slots_of,
    visible_event,
)


def _day_url(event) -> str:
    return reverse("events:event_day", args=[event.pk])


@login_required
def event_day(request, pk: int):
    event = visible_event(request, pk)
    permissions.require_organiser(request.user, event)
    now = clock.now()
    slots = slots_of(event)
    labels = slot_labels(slots)
    started = replan.started_slots(slots, now)
    accepted = queries.accepted_of(event)
    for meeting in accepted:
        meeting.slot_label = labels.get(meeting.slot, "")
    absent = {a.participant_id: a for a in Absence.objects.filter(event=event).order_by("date")}
    participants = [p for p in queries.participants_of(event) if p.status != p.Status.CANCELLED]
    # On a phone the day of a large event is a long page: a name narrows both lists to the
    # participants it finds (in either language, as at the check-in desk) and their meetings.
    text = request.GET.get("q", "").strip()[:100]
    if text:
        found = {p.pk for p in checkin.participants_found(event, text)}
        participants = [p for p in participants if p.pk in found]
        accepted = [m for m in accepted if {m.requester_id, m.requested_id} & found]
    for participant in participants:
        participant.absence = absent.get(participant.pk)
        if participant.absence is not None:
            participant.absence.label = labels.get(participant.absence.from_slot, "")
    context = {
        "event": event,
        "q": text,
        "participants": participants,
        "coming": [m for m in accepted if m.slot is not None and m.slot not in started],
        "waiting": [m for m in accepted if m.slot is None],
        "held_count": sum(1 for m in accepted if m.slot in started),
        "over": not replan.absence_slots(slots, now),
    }
    return render(request, "events/event_day.html", context)


def _confirm(request, event, plan, *, title, question, button, back):
    labels = slot_labels(slots_of(event))
    for change in plan.changes:
        change.before_label = labels.get(change.before, "")
        change.after_label = labels.get(change.after, "")
    return render(
        request,
        "events/replan_confirm.html",
        {
            "event": event,
            "plan": plan,
            "title": title,
            "question": question,
            "button": button,
            "back": back,
        },
    )


def _done(plan) -> str:
    moved, told = len(plan.moved), len(plan.told)
    text = ngettext(
        "The rest of the day is re-planned: %(moved)d meeting moved or freed",
        "The rest of the day is re-planned: %(moved)d meetings moved or freed",
        moved,
    ) % {"moved": moved}
    return (
        text
        + "; "
        + ngettext("%(told)d participant told.", "%(told)d participants told.", told)
        % {"told": told}
    )


def _carry_out(request, event, write, preview, **page):
    if request.method == "POST":
        return post_action(request, write, back=redirect(_day_url(event)), success=_done)
    try:
        plan = preview()
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(_day_url(event))
    return _confirm(request, event, plan, back=_day_url(event), **page)


@login_required
def participant_absent(request, pk: int, participant_pk: int):
    event = visible_event(request, pk)
    participant = participant_of(event, participant_pk)
    permissions.require_organiser(request.user, event)
    now = clock.now()
    slots = slots_of(event)
    covered = replan.absence_slots(slots, now)  # none once the event is over: refused below
    day = day_text(slots[covered[0]]) if covered else ""
    return _carry_out(
        request,
        event,
        lambda: replan.participant_mark_absent(
            actor=request.user, participant=participant, now=now
        ),
        lambda: replan.preview(event, actor=request.user, absent=participant, now=now),
        title=_("Mark %(name)s absent") % {"name": names(participant)},
        question=_(
            "%(name)s is absent for the rest of %(day)s: their meetings that have not begun "
            "are freed, and the day is re-planned with as few moves as possible."
        )
        % {"name": names(participant), "day": day},
        button=_("Mark absent and re-plan"),
    )


@login_required
def meeting_cancel(request, pk: int, request_pk: int):
    event = visible_event(request, pk)
    meeting = request_of(event, request_pk)
    permissions.require_organiser(request.user, event)
    pair = {"first": names(meeting.requester), "second": names(meeting.requested)}
    return _carry_out(
        request,
        event,
        lambda: replan.meeting_cancel(actor=request.user, meeting=meeting),
        lambda: replan.preview(event, actor=request.user, cancel=meeting),
        title=_("Cancel the meeting of %(first)s and %(second)s") % pair,
        question=_(
            "The meeting of %(first)s and %(second)s is cancelled; its slot may go to a "
            "waiting request, and nothing else moves unless that request needs it."
        )
        % pair,
        button=_("Cancel the meeting and re-plan"),
    )
