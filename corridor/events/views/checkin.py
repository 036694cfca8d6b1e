"""The event day for its organisers: the check-in desk (find a participant by name, check
them in or undo it), the link in each agenda's QR code, the live board of who is here and
the results after the meetings."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from corridor.core.views import back_to, post_action
from corridor.events import checkin, clock, permissions
from corridor.events.results import held_slots, results_of
from corridor.events.views.shared import names, participant_of, slots_of, visible_event

# A participant who scans their own code, or anyone else, learns only this: the same answer
# whatever the code, before it is read.
SCAN_ORGANISERS_ONLY = gettext_lazy(
    "This code checks its participant in when one of the event's organisers opens it. "
    "Show it at the registration desk."
)


def _organised_event(request, pk: int, message=permissions.CHECK_IN_ORGANISERS_ONLY):
    event = visible_event(request, pk)
    permissions.require(permissions.can_check_in(request.user, event), message)
    return event


@login_required
def checkin_desk(request, pk: int):
    """Find a participant by name (English or Chinese) and check them in or undo it."""
    event = _organised_event(request, pk)
    text = request.GET.get("q", "").strip()[:100]
    found = checkin.participants_found(event, text)
    everyone = checkin.participants_found(event) if text else found
    context = {
        "event": event,
        "q": text,
        "found": found,
        "present_count": sum(1 for p in everyone if p.checked_in_at is not None),
        "total": len(everyone),
    }
    return render(request, "events/checkin_desk.html", context)


@login_required
def checkin_scan(request, pk: int, token: str):
    """The link in an agenda's QR code: opened by an organiser, it checks its participant in
    (once: opening it again shows when they arrived) and offers to undo it. Checking in is
    idempotent and the token cannot be guessed, so a GET may do it: a scan at the desk is one
    step. Anyone else is refused before the token is read."""
    event = _organised_event(request, pk, SCAN_ORGANISERS_ONLY)
    participant = checkin.participant_for_token(event, token)
    if participant is None:
        raise Http404
    already = participant.checked_in_at is not None
    if not already:
        # a cancelled participant: the service says why, and the page shows it
        try:
            checkin.participant_check_in(actor=request.user, participant=participant)
        except ValidationError as exc:
            return render(
                request,
                "events/checkin_scan.html",
                {"event": event, "participant": participant, "refused": exc.messages},
                status=400,
            )
    context = {"event": event, "participant": participant, "already": already}
    return render(request, "events/checkin_scan.html", context)


@require_POST
@login_required
def checkin_set(request, pk: int, participant_pk: int):
    """The desk's buttons: check in (present=1) or undo (present=0)."""
    event = visible_event(request, pk)
    participant = participant_of(event, participant_pk)
    present = request.POST.get("present") == "1"
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = ""
    back = back or reverse("events:checkin_desk", args=[event.pk])

    def success(_result):
        text = _("%(name)s is checked in.") if present else _("%(name)s is no longer checked in.")
        return text % {"name": names(participant)}

    return post_action(
        request,
        lambda: checkin.participant_check_in(
            actor=request.user, participant=participant, present=present
        ),
        back=back_to(back, f"participant-{participant.pk}" if "#" not in back else ""),
        success=success,
    )


@login_required
def board(request, pk: int):
    """The live board: who is here, who has not arrived, and each slot's meetings with the
    presence of both sides. A small script asks the API for the presence every 20 seconds."""
    event = _organised_event(request, pk)
    context = {
        "event": event,
        "board": checkin.board_of(event, slots_of(event)),
        "now": timezone.localtime(clock.now()),
        "time_zone": settings.TIME_ZONE,
    }
    return render(request, "events/board.html", context)


@login_required
def results(request, pk: int):
    """What came of the meetings: ratings, follow-ups wanted, agreements, projects."""
    event = _organised_event(request, pk, permissions.ORGANISERS_ONLY)
    slots = slots_of(event)
    held = held_slots(slots, clock.now())
    labels = {slot.index: slot.label for slot in slots}
    outcome = results_of(event, held, request.user)
    for result in outcome.meetings:
        result.slot_label = labels.get(result.meeting.slot, "")
    return render(request, "events/results.html", {"event": event, "results": outcome})
