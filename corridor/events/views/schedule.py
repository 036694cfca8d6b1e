"""The scheduler's page (its runs, their errors and the meetings it could not place, the
meetings in order), starting a run, adding and removing an order between two meetings, publishing the agendas, and the table plan."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from corridor.core.views import post_form
from corridor.events import permissions, queries, schedule_codes, services
from corridor.events.forms import PrecedenceForm, ScheduleForm
from corridor.events.models import Event, MeetingRequest, ScheduleRun
from corridor.events.views.shared import names, slot_labels, slots_of, visible_event


def _error_rows(run: ScheduleRun, meetings: dict[str, MeetingRequest], labels) -> list[dict]:
    """The run's errors in words, each naming its meeting, participant and slot."""
    participants = {}
    for meeting in meetings.values():
        participants[str(meeting.requester_id)] = meeting.requester
        participants[str(meeting.requested_id)] = meeting.requested
    rows = []
    for error in run.errors or []:
        code = error.get("code", "")
        if code.startswith("precedence") or code == "unknown_precedence":
            # one sentence naming the participant, the slot and the meetings in order
            rows.append({"text": schedule_codes.explained(error, meetings, labels)})
            continue
        meeting = meetings.get(str(error.get("meeting")))
        participant = participants.get(str(error.get("participant")))
        slot = error.get("slot")
        rows.append(
            {
                "text": schedule_codes.in_words(code),
                "meeting": meeting,
                "participant": participant,
                "slot": labels.get(slot, "") if slot is not None else "",
                "detail": error.get("detail", ""),
            }
        )
    return rows


def _schedule_page(request, event: Event, *, form=None, order_form=None, status: int = 200):
    slots = slots_of(event)
    labels = slot_labels(slots)
    run = queries.latest_run(event)
    accepted = queries.accepted_of(event)
    unplaced = [m for m in accepted if m.slot is None]
    for meeting in unplaced:
        meeting.reason = (
            schedule_codes.in_words(meeting.unplaced_reason)
            if meeting.unplaced_reason
            else _("not scheduled yet")
        )
    context = {
        "event": event,
        "run": run,
        "running": run is not None and run.status in ScheduleRun.UNDER_WAY,
        "errors": _error_rows(run, {str(m.pk): m for m in accepted}, labels) if run else [],
        "accepted_count": len(accepted),
        "placed_count": len(accepted) - len(unplaced),
        "unplaced": unplaced,
        "slot_count": len(slots),
        "form": form or ScheduleForm(),
        "order_form": order_form or PrecedenceForm(meetings=accepted, prefix="order"),
        "precedences": queries.precedences_of(event),
        "participants": queries.participants_of(event),
        "max_attempts": settings.TASKS_MAX_ATTEMPTS,
    }
    return render(request, "events/schedule.html", context, status=status)


def _organised_event(request, pk: int) -> Event:
    event = visible_event(request, pk)
    permissions.require_organiser(request.user, event)
    return event


@login_required
def schedule(request, pk: int):
    return _schedule_page(request, _organised_event(request, pk))


@require_POST
@login_required
def schedule_start(request, pk: int):
    event = _organised_event(request, pk)
    return post_form(
        request,
        ScheduleForm(request.POST),
        lambda data: services.schedule_start(
            actor=request.user, event=event, mode=data["mode"], time_limit=data["time_limit"]
        ),
        done=lambda _run: redirect("events:schedule", pk=event.pk),
        again=lambda form: _schedule_page(request, event, form=form, status=400),
        success=_("The scheduling run is queued; this page shows its progress."),
    )


@require_POST
@login_required
def agendas_publish(request, pk: int):
    event = visible_event(request, pk)
    services.agendas_publish(actor=request.user, event=event)
    messages.success(
        request,
        _(
            "The agendas are published: each participant sees its meetings, and is told by "
            "e-mail when one of them moves."
        ),
    )
    return redirect("events:schedule", pk=event.pk)


@login_required
def table_plan(request, pk: int):
    event = _organised_event(request, pk)
    plan = queries.table_plan(event, slots_of(event))
    context = {
        "event": event,
        # one block per slot that has meetings, its meetings by table: readable and printable
        # however many tables the event has
        "rows": [(slot, meetings) for slot, meetings in plan if meetings],
        "meeting_count": sum(len(meetings) for _slot, meetings in plan),
    }
    return render(request, "events/table_plan.html", context)


@require_POST
@login_required
def precedence_add(request, pk: int):
    event = _organised_event(request, pk)
    form = PrecedenceForm(request.POST, meetings=queries.accepted_of(event), prefix="order")
    return post_form(
        request,
        form,
        lambda _data: services.precedence_add(actor=request.user, event=event, **form.pair()),
        done=lambda _p: redirect(reverse("events:schedule", args=[event.pk]) + "#order"),
        again=lambda form: _schedule_page(request, event, order_form=form, status=400),
        success=lambda p: (
            _("%(before)s now comes before %(after)s.")
            % {"before": _meeting_name(p.before), "after": _meeting_name(p.after)}
        ),
    )


@require_POST
@login_required
def precedence_remove(request, pk: int, precedence_pk: int):
    event = _organised_event(request, pk)
    precedence = queries.precedence_at(event, precedence_pk)
    if precedence is None:
        raise Http404
    services.precedence_remove(actor=request.user, precedence=precedence)
    messages.success(
        request,
        _("%(before)s no longer has to come before %(after)s.")
        % {"before": _meeting_name(precedence.before), "after": _meeting_name(precedence.after)},
    )
    return redirect(reverse("events:schedule", args=[event.pk]) + "#order")


def _meeting_name(meeting: MeetingRequest) -> str:
    return _("%(first)s with %(second)s") % {
        "first": names(meeting.requester),
        "second": names(meeting.requested),
    }
