"""After the event: each side records what came of its meetings, and a follow-up becomes a
cooperation project."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from corridor.core.bilingual import bilingual
from corridor.core.stale import is_stale
from corridor.core.views import back_to, post_form
from corridor.events import clock, permissions, queries, services
from corridor.events.forms import OutcomeForm, ProjectForm
from corridor.events.models import MeetingOutcome, Participant
from corridor.events.views.shared import (
    names,
    participant_of,
    slot_labels,
    slots_of,
    visible_event,
)

LEADS_TO_PROJECT = (MeetingOutcome.Outcome.FOLLOW_UP, MeetingOutcome.Outcome.AGREEMENT)


def _project_titles(participant: Participant, other: Participant) -> dict:
    """A first title for the cooperation project, in each language with each language's
    names."""
    titles = {}
    for field, language in (("title_en", "en"), ("title_zh", "zh-hans")):
        with translation.override(language):
            titles[field] = _("Cooperation between %(first)s and %(second)s") % {
                "first": bilingual(participant.organisation, "name", language),
                "second": bilingual(other.organisation, "name", language),
            }
    return titles


def _other(meeting, participant: Participant) -> Participant:
    return meeting.requested if meeting.requester_id == participant.pk else meeting.requester


def _outcomes_page(request, event, participant, *, bound: dict | None = None, status=200):
    bound = bound or {}
    slots = slots_of(event)
    labels = slot_labels(slots)
    ends = {slot.index: slot.ends_at for slot in slots}
    now = clock.now()
    feedback = permissions.can_give_feedback(request.user, participant)
    meetings = list(queries.placed_meetings_of(event, participant))
    recorded = queries.outcomes_by_meeting(participant, meetings)
    sectors = queries.sectors()
    for meeting in meetings:
        meeting.slot_label = labels.get(meeting.slot, "")
        meeting.other = _other(meeting, participant)
        meeting.over = meeting.slot in ends and ends[meeting.slot] <= now
        outcome = recorded.get(meeting.pk)
        meeting.recorded = outcome
        meeting.outcome_form = bound.get(("outcome", meeting.pk)) or OutcomeForm(
            initial=OutcomeForm.initial_for(outcome),
            prefix=f"outcome-{meeting.pk}",
            feedback=feedback,
        )
        meeting.project_form = bound.get(("project", meeting.pk))
        if meeting.project_form is None and (
            outcome is not None
            and outcome.project_id is None
            and outcome.outcome in LEADS_TO_PROJECT
        ):
            meeting.project_form = ProjectForm(
                sectors=sectors,
                initial=_project_titles(participant, meeting.other),
                prefix=f"project-{meeting.pk}",
            )
    context = {
        "event": event,
        "participant": participant,
        "meetings": meetings,
        "feedback": feedback,
        "over_count": sum(1 for meeting in meetings if meeting.over),
    }
    return render(request, "events/outcomes.html", context, status=status)


def _outcome_participant(request, pk: int, participant_pk: int):
    event = visible_event(request, pk)
    participant = participant_of(event, participant_pk)
    permissions.require_acts_for(request.user, participant)
    return event, participant


def _placed_meeting(event, participant, meeting_pk: int):
    meeting = queries.placed_meeting(event, participant, meeting_pk)
    if meeting is None:
        raise Http404
    return meeting


@login_required
def outcomes(request, pk: int, participant_pk: int):
    event, participant = _outcome_participant(request, pk, participant_pk)
    return _outcomes_page(request, event, participant)


def _post_outcome(request, event, participant, meeting, kind, form, service, success, again=None):
    """POST a form of the outcomes page to `service` (its fields are the service's
    arguments): back to the meeting on success, the page again with the form if not.
    `again(form)`, if given, first brings the form up to date (a stale save)."""

    def write(data):
        return service(actor=request.user, meeting=meeting, participant=participant, **data)

    def show_again(form):
        if again is not None:
            again(form)
        bound = {(kind, meeting.pk): form}
        return _outcomes_page(request, event, participant, bound=bound, status=400)

    url = reverse("events:outcomes", args=[event.pk, participant.pk])
    return post_form(
        request,
        form,
        write,
        done=lambda _result: back_to(url, f"meeting-{meeting.pk}"),
        again=show_again,
        success=success,
    )


@require_POST
@login_required
def outcome_record(request, pk: int, participant_pk: int, meeting_pk: int):
    event, participant = _outcome_participant(request, pk, participant_pk)
    meeting = _placed_meeting(event, participant, meeting_pk)
    feedback = permissions.can_give_feedback(request.user, participant)
    form = OutcomeForm(request.POST, prefix=f"outcome-{meeting.pk}", feedback=feedback)

    def stale(form):
        if is_stale(form):
            # someone recorded it since: show theirs, keep the person's, and let a second
            # save (knowingly) replace it
            current = OutcomeForm.initial_for(queries.outcome_of(meeting, participant))
            form.saved_now = form.show_saved(current)

    text = _("The outcome of the meeting with %(name)s was recorded.")
    recorded = text % {"name": names(_other(meeting, participant))}
    service = services.outcome_record
    return _post_outcome(
        request, event, participant, meeting, "outcome", form, service, recorded, again=stale
    )


@require_POST
@login_required
def outcome_project(request, pk: int, participant_pk: int, meeting_pk: int):
    event, participant = _outcome_participant(request, pk, participant_pk)
    meeting = _placed_meeting(event, participant, meeting_pk)
    form = ProjectForm(request.POST, sectors=queries.sectors(), prefix=f"project-{meeting.pk}")

    def recorded(project):
        text = _(
            "The cooperation project “%(title)s” was recorded with both organisations as "
            "initiators. The initiative's administration reviews it before it is published."
        )
        return text % {"title": bilingual(project, "title")}

    service = services.follow_up_to_project
    return _post_outcome(request, event, participant, meeting, "project", form, service, recorded)
