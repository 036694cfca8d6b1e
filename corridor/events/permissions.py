"""Who may do what at a matchmaking event. Services enforce these rules (`require_*` raise
`PermissionDenied` with the reason the 403 page and the API show); queries, pages and the API
ask the same predicates to show only what a person may do.

The system (`corridor.core.actors.SYSTEM`: the demo loader, commands) may do anything; `None`
is nobody and may do nothing.
"""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from corridor.accounts import roles
from corridor.core.actors import is_system
from corridor.events.models import Event, MeetingRequest, Participant

OPEN = (MeetingRequest.Status.PENDING, MeetingRequest.Status.ACCEPTED)

ORGANISERS_ONLY = _("Only the event's organisers can do this.")
NOT_YOURS = _("Only the participant's own members and the event's organisers can do this.")
NOT_AN_ORGANISER = _(
    "Only the initiative's staff and members of an enterprise, a government "
    "agency, a partner organisation or a chamber organise events."
)
NOT_A_MEMBER = _("You can register an organisation once you are a member of one.")
BY_INVITATION = _("This event is by invitation: its organisers register the participants.")
NOT_REGISTERED = _("You can ask for meetings once your organisation is registered for the event.")
AGENDA_NOT_YOURS = _(
    "Only the participant's own members and the event's organisers see its agenda."
)


def require(condition: bool, message) -> None:
    if not condition:
        raise PermissionDenied(str(message))


# --- events ---------------------------------------------------------------------------------


def organiser_ids(user) -> set[int]:
    """The organisations the user organises events for (`roles.ORGANISES_EVENTS`: not a
    regulator's); the initiative's staff organise for any organisation."""
    return roles.acting_organisation_ids(user, roles.ORGANISES_EVENTS)


def can_organise_events(user) -> bool:
    """May the user create an event at all: "New event"."""
    return roles.is_facilitator(user) or bool(organiser_ids(user))


def require_organises_events(user) -> None:
    require(can_organise_events(user), NOT_AN_ORGANISER)


def can_organise_for(user, organisation_id: int) -> bool:
    """May the user create an event with this organisation as its organiser."""
    return is_system(user) or roles.is_facilitator(user) or organisation_id in organiser_ids(user)


def can_organise(user, event: Event) -> bool:
    """The initiative's facilitators and administrators, and members of the organiser."""
    if is_system(user):
        return True
    return roles.is_facilitator(user) or event.organiser_id in roles.organisation_ids(user)


def require_organiser(user, event: Event) -> None:
    require(can_organise(user, event), ORGANISERS_ONLY)


def registrable(event: Event) -> bool:
    """Members register their own organisations: the event is published and open."""
    return event.is_published and event.registration == Event.Registration.OPEN


# --- participants ---------------------------------------------------------------------------


def is_member(user, participant: Participant) -> bool:
    return participant.organisation_id in roles.organisation_ids(user)


def acts_for(user, participant: Participant) -> bool:
    """Members of the participant's organisation, and the event's organisers."""
    if is_system(user):
        return True
    return is_member(user, participant) or can_organise(user, participant.event)


def require_acts_for(user, participant: Participant, message=NOT_YOURS) -> None:
    require(acts_for(user, participant), message)


def can_register(user, event: Event, organisation_id: int) -> bool:
    """The organisers register anyone; members their own organisation when registration is
    open."""
    own = organisation_id in roles.organisation_ids(user)
    return can_organise(user, event) or (own and registrable(event))


def require_registers(user, event: Event) -> None:
    """A member registering their own organisation: they need one, and open registration."""
    require(bool(roles.acting_organisation_ids(user)), NOT_A_MEMBER)
    require(registrable(event) or can_organise(user, event), BY_INVITATION)


def require_registered(user, participants) -> None:
    """Asking for meetings: one of the user's organisations is a participant."""
    require(any(is_member(user, p) for p in participants), NOT_REGISTERED)


def acts_for_organisations(user, event: Event, organisation_ids) -> bool:
    """The organisers, and members of one of these organisations (a directory connection's)."""
    return can_organise(user, event) or bool(set(organisation_ids) & roles.organisation_ids(user))


def require_organiser_or_participant(user, event: Event, participants) -> None:
    organisations = {p.organisation_id for p in participants}
    require(acts_for_organisations(user, event, organisations), NOT_YOURS)


# --- meeting requests -----------------------------------------------------------------------
# Each rule asks the request's own event (the rows of an event's page share it), so that a
# page of requests asks the database nothing more.


def _acts_for_side(user, request: MeetingRequest, side: Participant) -> bool:
    return is_system(user) or is_member(user, side) or can_organise(user, request.event)


def can_answer(user, request: MeetingRequest) -> bool:
    """The asked side accepts or declines a pending request."""
    return request.status == MeetingRequest.Status.PENDING and _acts_for_side(
        user, request, request.requested
    )


def can_edit(user, request: MeetingRequest) -> bool:
    """The asking side changes the priority of an open request."""
    return request.status in OPEN and _acts_for_side(user, request, request.requester)


def can_cancel(user, request: MeetingRequest) -> bool:
    """Either side cancels an open request (the asked side declines a pending one rather
    than cancelling it)."""
    if request.status not in OPEN:
        return False
    return _acts_for_side(user, request, request.requester) or (
        _acts_for_side(user, request, request.requested) and not can_answer(user, request)
    )


def can_lock(user, request: MeetingRequest) -> bool:
    """The organisers lock an accepted meeting at a slot."""
    return request.status == MeetingRequest.Status.ACCEPTED and can_organise(user, request.event)


# --- self-booking (events/booking.py) -------------------------------------------------------

NOT_SELF_BOOKING = _(
    "The organisers schedule this event's meetings: ask for a meeting instead of booking one."
)
BOOK_FOR_YOUR_OWN = _("You can book meetings only for your own organisation.")


def self_booking(event: Event) -> bool:
    return event.is_published and event.booking == Event.BookingMode.SELF


def can_book(user, participant: Participant) -> bool:
    """Members book meetings for their own organisation, on a published self-booking event."""
    if not self_booking(participant.event):
        return False
    return is_system(user) or is_member(user, participant)


def require_books(user, participant: Participant) -> None:
    require(self_booking(participant.event), NOT_SELF_BOOKING)
    require(is_system(user) or is_member(user, participant), BOOK_FOR_YOUR_OWN)


# --- the event day --------------------------------------------------------------------------

CHECK_IN_ORGANISERS_ONLY = _("Only the event's organisers check participants in.")
FEEDBACK_NOT_YOURS = _(
    "Only the participant's own members rate a meeting and say whether they want a follow-up."
)


def can_check_in(user, event: Event) -> bool:
    """The organisers check people in at the desk, and see the live board and the results."""
    return can_organise(user, event)


def require_checks_in(user, event: Event) -> None:
    require(can_check_in(user, event), CHECK_IN_ORGANISERS_ONLY)


def can_give_feedback(user, participant: Participant) -> bool:
    """A meeting's rating and the wish for a follow-up are the side's own word: its members
    give them, not the organisers (who may still record what came of a meeting)."""
    return is_system(user) or is_member(user, participant)


def require_gives_feedback(user, participant: Participant) -> None:
    require(can_give_feedback(user, participant), FEEDBACK_NOT_YOURS)
