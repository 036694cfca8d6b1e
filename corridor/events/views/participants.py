"""Registering participants and saying when they cannot meet."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from corridor.core.stale import saved_values_if_stale
from corridor.core.views import post_form
from corridor.events import permissions, queries, services
from corridor.events.forms import AvailabilityForm, ParticipantAddForm, RegisterForm
from corridor.events.views.events import post_to_event
from corridor.events.views.shared import (
    names,
    participant_of,
    slot_choices,
    slots_of,
    visible_event,
)


@require_POST
@login_required
def participant_register(request, pk: int):
    """A member registers their own organisation (open registration)."""
    event = visible_event(request, pk)
    permissions.require_registers(request.user, event)
    own = queries.own_organisations(request.user)
    form = RegisterForm(request.POST, organisations=own, prefix="register")

    def register(data):
        return services.participant_add(
            actor=request.user, event=event, contact=request.user, **data
        )

    def registered(participant):
        text = _("%(name)s is registered for the event. You are its contact person.")
        return text % {"name": names(participant)}

    return post_to_event(request, event, "register", form, register, registered, "participants")


@require_POST
@login_required
def participant_add(request, pk: int):
    """The organisers register an organisation."""
    event = visible_event(request, pk)
    permissions.require_organiser(request.user, event)
    others = queries.participating_organisations()
    form = ParticipantAddForm(request.POST, organisations=others, prefix="participant")

    def add(data):
        return services.participant_add(actor=request.user, event=event, **data)

    def added(participant):
        return _("%(name)s is registered for the event.") % {"name": names(participant)}

    return post_to_event(request, event, "participant", form, add, added, "participants")


@login_required
def participant_edit(request, pk: int, participant_pk: int):
    """A participant's members (or the organisers) say when they cannot meet and which
    languages they work in."""
    event = visible_event(request, pk)
    participant = participant_of(event, participant_pk)
    permissions.require_acts_for(request.user, participant)
    form = AvailabilityForm(
        request.POST if request.method == "POST" else None,
        slot_choices=slot_choices(slots_of(event)),
        organising=queries.may_organise(request.user, event),
        initial=AvailabilityForm.initial_for(participant),
    )

    def page(form, status=200):
        context = {
            "event": event,
            "participant": participant,
            "form": form,
            # someone saved since: their values beside the person's, which a second save
            # (knowingly) puts in place of theirs
            "saved_values": saved_values_if_stale(form, participant, AvailabilityForm.initial_for),
        }
        return render(request, "events/participant_form.html", context, status=status)

    def save(_data):
        return services.participant_update(
            actor=request.user, participant=participant, **form.service_arguments()
        )

    if request.method != "POST":
        return page(form)
    text = _(
        "The availability of %(name)s was saved. The next scheduling run takes it into account."
    )
    return post_form(
        request,
        form,
        save,
        done=lambda _result: redirect("events:agenda", pk=event.pk, participant_pk=participant.pk),
        again=lambda form: page(form, status=400),
        success=text % {"name": names(participant)},
    )
