"""The organisers add the event's interpreters and say which languages they interpret between
and when they cannot work; the scheduler uses both (corridor/events/planning.py)."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from corridor.core.bilingual import bilingual
from corridor.core.views import back_to, post_form
from corridor.events import permissions, services
from corridor.events.forms import InterpreterForm
from corridor.events.models import Event, Interpreter
from corridor.events.views.events import post_to_event
from corridor.events.views.shared import event_url, slot_choices, slots_of, visible_event


def interpreter_of(event: Event, interpreter_pk: int) -> Interpreter:
    found = event.interpreters.filter(pk=interpreter_pk).first()
    if found is None:
        raise Http404
    return found


@require_POST
@login_required
def interpreter_add(request, pk: int):
    """The organisers add an interpreter."""
    event = visible_event(request, pk)
    permissions.require_organiser(request.user, event)
    form = InterpreterForm(
        request.POST, slot_choices=slot_choices(slots_of(event)), prefix="interpreter"
    )

    def add(data):
        return services.interpreter_add(actor=request.user, event=event, **data)

    def added(interpreter):
        return _("%(name)s interprets at the event.") % {"name": bilingual(interpreter, "name")}

    return post_to_event(request, event, "interpreter", form, add, added, "interpreters")


@login_required
def interpreter_edit(request, pk: int, interpreter_pk: int):
    """The organisers change an interpreter's names, languages and unavailable slots."""
    event = visible_event(request, pk)
    permissions.require_organiser(request.user, event)
    interpreter = interpreter_of(event, interpreter_pk)
    form = InterpreterForm(
        request.POST if request.method == "POST" else None,
        slot_choices=slot_choices(slots_of(event)),
        initial=InterpreterForm.initial_for(interpreter),
    )

    def page(form, status=200):
        context = {"event": event, "interpreter": interpreter, "form": form}
        return render(request, "events/interpreter_form.html", context, status=status)

    def save(data):
        return services.interpreter_update(actor=request.user, interpreter=interpreter, **data)

    if request.method != "POST":
        return page(form)
    text = _("%(name)s was saved. The next scheduling run takes it into account.")
    return post_form(
        request,
        form,
        save,
        done=lambda _result: back_to(event_url(event), "interpreters"),
        again=lambda form: page(form, status=400),
        success=lambda result: text % {"name": bilingual(result, "name")},
    )
