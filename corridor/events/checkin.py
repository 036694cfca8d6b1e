"""The event day: checking participants in and the live board of who is here.

Each participant's agenda carries a QR code of a link with a signed token
(`checkin_token`): opened by one of the event's organisers, it checks that participant in;
anyone else is refused before the token is even read, so the link tells them nothing (not
even whether it is valid). At the desk the organisers also find a participant by name, in
English or Chinese (the organisation's names and its contact person's), and check them in
or undo it. Writes (`participant_check_in`) check permission, lock the row, write in one
transaction and record an audit entry, as every service does; the reads below feed the desk,
the live board and the API.
"""

from dataclasses import dataclass
from datetime import datetime

import segno
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from corridor.core.actors import is_system
from corridor.core.audit import audit_record
from corridor.core.bilingual import bilingual
from corridor.events import clock
from corridor.events.models import Event, MeetingRequest, Participant, Slot
from corridor.events.permissions import require_checks_in

SALT = "corridor.events.checkin"


# --- the QR code's token --------------------------------------------------------------------


def checkin_token(participant: Participant) -> str:
    """The token in the participant's check-in link: the event's and the participant's ids,
    signed with the site's secret key (nothing is stored; it cannot be guessed or altered)."""
    return signing.Signer(salt=SALT).sign(f"{participant.event_id}-{participant.pk}")


def participant_for_token(event: Event, token: str) -> Participant | None:
    """The participant of this event the token names; None for a token that is not one of
    ours, or is another event's."""
    try:
        value = signing.Signer(salt=SALT).unsign(token)
    except signing.BadSignature:
        return None
    event_pk, _sep, participant_pk = value.partition("-")
    if event_pk != str(event.pk) or not (participant_pk.isascii() and participant_pk.isdigit()):
        return None
    return (
        Participant.objects.select_related("organisation", "contact", "checked_in_by", "event")
        .filter(event=event, pk=int(participant_pk))
        .first()
    )


def checkin_qr(url: str, *, title: str = "") -> SafeString:
    """The link as a QR code, an inline SVG element (no script, no image request: the
    site's CSP allows it), dark on white, about 4 px a module."""
    code = segno.make(url, error="m")
    svg = code.svg_inline(
        scale=4, border=4, dark="#000", light="#fff", svgclass="qr-code", title=title or None
    )
    return mark_safe(svg)  # segno escapes the title; the rest is its own markup


def checkin_qr_data_uri(url: str) -> str:
    """The same QR code as a data: URI, for the printed agenda (WeasyPrint draws it)."""
    return segno.make(url, error="m").svg_data_uri(scale=4, border=4, dark="#000", light="#fff")


# --- writes ---------------------------------------------------------------------------------


def participant_check_in(*, actor, participant: Participant, present: bool = True) -> Participant:
    """Check a participant in (`present`) or undo it (organisers only). Checking in someone
    already in keeps the first time and who let them in, and writes nothing."""
    require_checks_in(actor, participant.event)
    with transaction.atomic():
        saved = Participant.objects.select_for_update().get(pk=participant.pk)
        if present and saved.status == Participant.Status.CANCELLED:
            raise ValidationError(
                {
                    "participant": _(
                        "%(name)s cancelled their registration, so they cannot be checked in."
                    )
                    % {"name": bilingual(participant.organisation, "name")}
                }
            )
        if present == (saved.checked_in_at is not None):
            _take_presence(participant, saved)
            return participant
        before = saved.checked_in_at
        if present:
            saved.checked_in_at = clock.now()
            saved.checked_in_by = None if is_system(actor) else actor
        else:
            saved.checked_in_at = saved.checked_in_by = None
        saved.save(update_fields=["checked_in_at", "checked_in_by"])
        _take_presence(participant, saved)
        audit_record(
            actor=actor,
            action="update",
            target=saved,
            summary=gettext_noop("Checked in") if present else gettext_noop("Check-in undone"),
            summary_params={},
            changes={
                "checked_in_at": [
                    before.isoformat() if before else None,
                    saved.checked_in_at.isoformat() if saved.checked_in_at else None,
                ]
            },
        )
    return participant


def _take_presence(loaded: Participant, saved: Participant) -> None:
    loaded.checked_in_at = saved.checked_in_at
    loaded.checked_in_by_id = saved.checked_in_by_id
    if saved.checked_in_by_id is None:
        loaded.checked_in_by = None


# --- reads ----------------------------------------------------------------------------------


def participants_found(event: Event, text: str = "") -> list[Participant]:
    """The event's registered participants (not cancelled) whose organisation's English or
    Chinese name, or contact person's, contains every word of `text`; all of them without
    one. Present ones are listed with the others, in name order."""
    participants = (
        event.participants.exclude(status=Participant.Status.CANCELLED)
        .select_related("organisation", "contact", "checked_in_by")
        .order_by("organisation__name_en", "id")
    )
    for word in (text or "").split()[:8]:
        participants = participants.filter(
            Q(organisation__name_en__icontains=word)
            | Q(organisation__name_zh__icontains=word)
            | Q(contact__name_en__icontains=word)
            | Q(contact__name_zh__icontains=word)
        )
    return list(participants)


@dataclass
class BoardMeeting:
    meeting: MeetingRequest
    requester_present: bool
    requested_present: bool

    @property
    def both_present(self) -> bool:
        return self.requester_present and self.requested_present


@dataclass
class BoardSlot:
    slot: Slot
    meetings: list[BoardMeeting]
    now: bool  # the slot under way
    over: bool  # the slot has ended


@dataclass
class Board:
    present: list[Participant]
    absent: list[Participant]
    slots: list[BoardSlot]

    @property
    def total(self) -> int:
        return len(self.present) + len(self.absent)


def board_of(event: Event, slots: list[Slot], now: datetime | None = None) -> Board:
    """Who is here and who has not arrived yet (registered participants), and each slot's
    meetings with the presence of both sides. Two queries."""
    now = now or clock.now()
    participants = list(
        event.participants.exclude(status=Participant.Status.CANCELLED)
        .select_related("organisation")
        .order_by("organisation__name_en", "id")
    )
    present_ids = {p.pk for p in participants if p.checked_in_at is not None}
    by_slot: dict[int, list[BoardMeeting]] = {}
    meetings = (
        event.requests.filter(status=MeetingRequest.Status.ACCEPTED, slot__isnull=False)
        .select_related("requester__organisation", "requested__organisation")
        .order_by("slot", "table", "id")
    )
    for meeting in meetings:
        by_slot.setdefault(meeting.slot, []).append(
            BoardMeeting(
                meeting,
                meeting.requester_id in present_ids,
                meeting.requested_id in present_ids,
            )
        )
    return Board(
        present=sorted(
            (p for p in participants if p.pk in present_ids),
            key=lambda p: p.checked_in_at,
            reverse=True,
        ),
        absent=[p for p in participants if p.pk not in present_ids],
        slots=[
            BoardSlot(
                slot,
                by_slot.get(slot.index, []),
                now=slot.starts_at <= now < slot.ends_at,
                over=slot.ends_at <= now,
            )
            for slot in slots
        ],
    )
