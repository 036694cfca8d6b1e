"""Every write to the directory: validate, check permission, write in one transaction, record
an audit entry, and enqueue the embedding of a changed profile once the transaction commits.

Pages, the API, the demo and commands call these functions; none of them writes models
directly. The demo loader and commands act as `SYSTEM` (corridor.core.actors); `None` is
refused like any stranger. Who may do what: `permissions.py`; the embeddings: `embeddings.py`.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from corridor.accounts import roles
from corridor.accounts.models import Organisation
from corridor.accounts.notifications import Message, notify
from corridor.core.actors import is_system
from corridor.core.audit import audit_record, diff, snapshot
from corridor.core.bilingual import bilingual
from corridor.core.models import Sector
from corridor.core.permissions import require
from corridor.core.unique import unique_or_raise
from corridor.core.validators import long_text_problem
from corridor.core.vocabularies import is_country
from corridor.directory import embeddings, permissions, queries, tasks
from corridor.directory.models import (
    Connection,
    ConnectionMessage,
    Feedback,
    Profile,
    statements_of,
)

UNCHANGED = object()  # "leave this field as it is"
# A stale save: nothing was written. The page shows the saved values beside the person's.
STALE_PROFILE = _lazy(
    "Someone else changed this profile since you opened it, so nothing was saved. Compare "
    "your values with theirs, shown above the form, and save again to replace them."
)
LANGUAGES = ("en", "zh")
MAX_STATEMENTS = 12
MAX_STATEMENT_LENGTH = 500

PROFILE_FIELDS = [
    "description_en",
    "description_zh",
    "size",
    "offers",
    "needs",
    "target_markets",
    "languages",
    "visibility",
]


# --- refusals --------------------------------------------------------------------------------


def _not_yours() -> str:
    return _("Only the enterprise's own members and the initiative's facilitators can do this.")


# --- profiles -------------------------------------------------------------------------------


def _clean_statements(field: str, text: str, label: str) -> str:
    lines = statements_of(text)
    if len(lines) > MAX_STATEMENTS:
        raise ValidationError(
            {
                field: _("%(field)s: write at most %(max)d lines (one per line); you wrote %(n)d.")
                % {"field": label, "max": MAX_STATEMENTS, "n": len(lines)}
            }
        )
    for number, line in enumerate(lines, start=1):
        if len(line) > MAX_STATEMENT_LENGTH:
            raise ValidationError(
                {
                    field: _(
                        "%(field)s: line %(line)d is %(length)d characters long; keep each "
                        "line under %(max)d characters."
                    )
                    % {
                        "field": label,
                        "line": number,
                        "length": len(line),
                        "max": MAX_STATEMENT_LENGTH,
                    }
                }
            )
    return "\n".join(lines)


def _clean_profile(fields: dict) -> dict:
    """Validate and normalise the profile's own fields; raise one ValidationError naming every
    field that is wrong."""
    errors: dict[str, str] = {}
    cleaned = dict(fields)
    for name, label in (("offers", _("What it offers")), ("needs", _("What it needs"))):
        try:
            cleaned[name] = _clean_statements(name, cleaned.get(name, ""), label)
        except ValidationError as exc:
            errors.update({k: v[0] for k, v in exc.message_dict.items()})
    markets = [str(code).strip().upper() for code in cleaned.get("target_markets") or []]
    unknown = [code for code in markets if not is_country(code)]
    if unknown:
        errors["target_markets"] = _("Target markets: “%(codes)s” is not a country code.") % {
            "codes": ", ".join(unknown)
        }
    cleaned["target_markets"] = sorted(set(markets))
    languages = [str(code).strip().lower() for code in cleaned.get("languages") or []]
    if any(code not in LANGUAGES for code in languages):
        errors["languages"] = _("Working languages: choose English (en) and/or Chinese (zh).")
    cleaned["languages"] = [code for code in LANGUAGES if code in languages]
    if cleaned.get("size", "") not in ("", *Profile.Size.values):
        errors["size"] = _("Size: choose one of the listed sizes.")
    if cleaned.get("visibility") not in Profile.Visibility.values:
        errors["visibility"] = _("Visibility: choose public or initiative members only.")
    for name in ("description_en", "description_zh"):
        cleaned[name] = (cleaned.get(name) or "").strip()
    if not (cleaned["description_en"] or cleaned["description_zh"]):
        errors["description_en"] = _(
            "Description: write what the enterprise does, in English or in Chinese."
        )
    if errors:
        raise ValidationError(errors)
    return cleaned


def _sectors_for(codes) -> list[Sector]:
    codes = list(dict.fromkeys(codes))
    sectors = list(Sector.objects.filter(code__in=codes))
    unknown = sorted(set(codes) - {s.code for s in sectors})
    if unknown:
        raise ValidationError(
            {"sectors": _("Sectors: “%(codes)s” is not a sector.") % {"codes": ", ".join(unknown)}}
        )
    return sectors


def search_document_of(profile: Profile) -> str:
    """Everything search looks in, lower-cased, in both languages."""
    organisation = profile.organisation
    parts = [
        organisation.name_en,
        organisation.name_zh,
        organisation.city,
        profile.description_en,
        profile.description_zh,
        profile.offers,
        profile.needs,
    ]
    return "\n".join(part for part in parts if part).lower()


def profile_save(
    *,
    actor,
    organisation: Organisation,
    description_en: str = "",
    description_zh: str = "",
    size: str = "",
    offers: str = "",
    needs: str = "",
    target_markets=(),
    languages=(),
    visibility: str = Profile.Visibility.PUBLIC,
    name_en=UNCHANGED,
    name_zh=UNCHANGED,
    city=UNCHANGED,
    sectors=UNCHANGED,
    contacts=UNCHANGED,
    is_synthetic: bool | None = None,
    version: int | None = None,
) -> Profile:
    """Create or update the organisation's profile (and its names, city and sectors, which the
    organisation carries). Embeddings are recomputed in the background when offers or needs
    change.

    `version` is the version of the profile the person loaded (0 when there was none yet);
    pages and the API give it, the demo loader and commands do not. If someone saved since,
    the save is refused and nothing is written."""
    require(permissions.can_edit_profile(actor, organisation), _not_yours())
    cleaned = _clean_profile(
        {
            "description_en": description_en,
            "description_zh": description_zh,
            "size": size,
            "offers": offers,
            "needs": needs,
            "target_markets": list(target_markets or []),
            "languages": list(languages or []),
            "visibility": visibility,
        }
    )
    sector_objects = _sectors_for(sectors) if sectors is not UNCHANGED else None
    if name_en is not UNCHANGED and not (name_en or "").strip():
        raise ValidationError({"name_en": _("Name (English): give the enterprise's English name.")})
    contact_users = None
    if contacts is not UNCHANGED:
        contact_users = list(contacts)
        members = set(
            organisation.memberships.filter(user__in=contact_users).values_list(
                "user_id", flat=True
            )
        )
        outsiders = [u.display_name for u in contact_users if u.pk not in members]
        if outsiders:
            raise ValidationError(
                {
                    "contacts": _("Contact persons: %(people)s do not belong to this organisation.")
                    % {"people": ", ".join(outsiders)}
                }
            )

    with transaction.atomic():
        organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
        profile = Profile.objects.filter(organisation=organisation).first()
        created = profile is None
        if version is not None and int(version) != (0 if created else profile.version):
            raise ValidationError({"version": str(STALE_PROFILE)})
        if created:
            profile = Profile(organisation=organisation, version=0)
        profile.version += 1
        before = snapshot(profile, PROFILE_FIELDS)
        for name, value in cleaned.items():
            setattr(profile, name, value)
        if is_synthetic is not None:
            profile.is_synthetic = is_synthetic
        organisation_changed = []
        for name, value in (("name_en", name_en), ("name_zh", name_zh), ("city", city)):
            if value is not UNCHANGED and getattr(organisation, name) != (value or "").strip():
                setattr(organisation, name, (value or "").strip())
                organisation_changed.append(name)
        if organisation_changed:
            organisation.save(update_fields=organisation_changed)
        if sector_objects is not None:
            organisation.sectors.set(sector_objects)
        profile.organisation = organisation
        profile.search_document = search_document_of(profile)
        stale = profile.embedded_hash != embeddings.texts_hash(profile)
        profile.save()
        if contact_users is not None:
            profile.contacts.set(contact_users)
        changes = diff(before, snapshot(profile, PROFILE_FIELDS))
        if created or changes or organisation_changed:
            audit_record(
                actor=actor,
                action="create" if created else "update",
                target=profile,
                summary=str(organisation),
                changes=changes,
            )
        if stale:
            _enqueue_embedding(profile.pk)
    return profile


def _enqueue_embedding(profile_id: int) -> None:
    transaction.on_commit(lambda: tasks.profile_embed.enqueue(profile_id))


def profile_verify(*, actor, profile: Profile, verified: bool = True) -> Profile:
    """The administration vouches that the enterprise is who it says it is (or withdraws it)."""
    require(
        permissions.can_verify(actor), _("Only the initiative's administrators verify profiles.")
    )
    with transaction.atomic():
        profile = Profile.objects.select_for_update().get(pk=profile.pk)
        before = snapshot(profile, ["verified_at"])
        if verified and profile.verified_at is None:
            profile.verified_at = timezone.now()
            profile.verified_by = None if is_system(actor) else actor
        elif not verified:
            profile.verified_at, profile.verified_by = None, None
        profile.save(update_fields=["verified_at", "verified_by", "updated_at"])
        audit_record(
            actor=actor,
            action="update",
            target=profile,
            summary=str(profile.organisation),
            changes=diff(before, snapshot(profile, ["verified_at"])),
        )
    return profile


# --- feedback -------------------------------------------------------------------------------


def feedback_record(
    *, actor, profile: Profile, candidate: Profile, verdict: str
) -> Feedback | None:
    """Mark a recommended counterpart "interested" or "not relevant" for this profile; an empty
    verdict takes the mark back. Only the person's own ranking changes."""
    require(permissions.acts_for(actor, profile), _not_yours())
    if not Profile.objects.visible_to(actor).filter(pk=candidate.pk).exists():
        raise ValidationError({"candidate": _("That enterprise is not in the directory.")})
    if verdict and verdict not in Feedback.Verdict.values:
        raise ValidationError({"verdict": _("Verdict: choose interested or not relevant.")})
    with transaction.atomic():
        if not verdict:
            Feedback.objects.filter(user=actor, profile=profile, candidate=candidate).delete()
            return None
        feedback, _created = Feedback.objects.update_or_create(
            user=actor, profile=profile, candidate=candidate, defaults={"verdict": verdict}
        )
    return feedback


# --- connections ----------------------------------------------------------------------------


def connection_request(
    *, actor, from_profile: Profile, to_profile: Profile, message: str = ""
) -> Connection:
    """Ask, on behalf of `from_profile`'s enterprise, to connect with `to_profile`'s."""
    require(permissions.acts_for(actor, from_profile), _not_yours())
    if not Profile.objects.visible_to(actor).filter(pk=to_profile.pk).exists():
        raise ValidationError({"to_profile": _("That enterprise is not in the directory.")})
    if from_profile.pk == to_profile.pk:
        raise ValidationError({"to_profile": _("An enterprise cannot ask to connect with itself.")})
    message = (message or "").strip()
    if len(message) > 2000:
        raise ValidationError({"message": _("Message: keep it under 2,000 characters.")})
    open_between = Connection.objects.filter(status__in=Connection.OPEN)
    if open_between.filter(from_profile=to_profile, to_profile=from_profile).exists():
        raise ValidationError(
            {
                "to_profile": _(
                    "This enterprise has already asked to connect with yours: answer its "
                    "request instead."
                )
            }
        )
    already = ValidationError(
        {
            "to_profile": _(
                "Your enterprise has already asked to connect with this one, or is "
                "already connected."
            )
        }
    )
    with unique_or_raise(already):
        connection = Connection.objects.create(
            from_profile=from_profile,
            to_profile=to_profile,
            requested_by=actor,
            message=message,
        )
        audit_record(
            actor=actor,
            action="create",
            target=connection,
            summary=f"{from_profile.organisation} → {to_profile.organisation}",
        )
        _notify_requested(actor, connection)
    return connection


def _pending(connection: Connection) -> Connection:
    """The connection, locked for this transaction, if it still waits for an answer."""
    connection = Connection.objects.select_for_update().get(pk=connection.pk)
    if connection.status != Connection.Status.PENDING:
        raise ValidationError(
            {
                "status": _("This request was already answered or withdrawn: it is “%(status)s”.")
                % {"status": connection.get_status_display()}
            }
        )
    return connection


def connection_answer(
    *, actor, connection: Connection, accept: bool, answer: str = ""
) -> Connection:
    """The asked enterprise accepts or declines a pending request."""
    require(permissions.acts_for(actor, connection.to_profile), _not_yours())
    with transaction.atomic():
        connection = _pending(connection)
        connection.status = Connection.Status.ACCEPTED if accept else Connection.Status.DECLINED
        connection.answer = (answer or "").strip()[:2000]
        connection.answered_by = actor
        connection.answered_at = timezone.now()
        connection.save()
        audit_record(
            actor=actor,
            action="transition",
            target=connection,
            changes={"status": [Connection.Status.PENDING, connection.status]},
            summary=f"{connection.from_profile.organisation} → {connection.to_profile.organisation}",
        )
        _notify_answered(actor, connection)
    return connection


def connection_withdraw(*, actor, connection: Connection) -> Connection:
    """The asking enterprise takes back a request that has not been answered yet."""
    require(permissions.acts_for(actor, connection.from_profile), _not_yours())
    with transaction.atomic():
        connection = _pending(connection)
        connection.status = Connection.Status.WITHDRAWN
        connection.save(update_fields=["status"])
        audit_record(
            actor=actor,
            action="transition",
            target=connection,
            changes={"status": [Connection.Status.PENDING, Connection.Status.WITHDRAWN]},
        )
    return connection


# --- telling the other side -----------------------------------------------------------------


def connection_url(connection: Connection) -> str:
    return reverse("directory:connection_detail", args=[connection.pk])


def _names(connection: Connection) -> dict:
    """The two enterprises' names in the active language (call inside the language)."""
    return {
        "from": bilingual(connection.from_profile.organisation, "name"),
        "to": bilingual(connection.to_profile.organisation, "name"),
    }


def _notify_requested(actor, connection: Connection) -> None:
    def write() -> Message:
        names = _names(connection)
        body = (
            _(
                "%(from)s asks to connect with %(to)s in the enterprise directory. Accept or "
                "decline on the request's page."
            )
            % names
        )
        if connection.message:
            body += "\n\n" + connection.message
        return Message(_("%(from)s asks to connect with %(to)s") % names, body)

    notify(
        recipients=queries.people_of_profile(connection.to_profile),
        actor=actor,
        url=connection_url(connection),
        write=write,
    )


def _notify_answered(actor, connection: Connection) -> None:
    accepted = connection.status == Connection.Status.ACCEPTED

    def write() -> Message:
        names = _names(connection)
        if accepted:
            subject = _("%(to)s accepted the request of %(from)s to connect") % names
            body = _(
                "You can now see each other's contact persons and write to each other on the "
                "connection's page."
            )
        else:
            subject = _("%(to)s declined the request of %(from)s to connect") % names
            body = ""
        if connection.answer:
            body = (body + "\n\n" + connection.answer).strip()
        return Message(subject, body)

    notify(
        recipients=[connection.requested_by, *queries.people_of_profile(connection.from_profile)],
        actor=actor,
        url=connection_url(connection),
        write=write,
    )


# --- messages between connected enterprises ---------------------------------------------------


def connection_message_post(*, actor, connection: Connection, text: str) -> ConnectionMessage:
    """A short message from one side of an accepted connection to the other, kept with the
    connection; the other side is told (in-app and by e-mail)."""
    require(
        permissions.acts_for_either_side(actor, connection),
        _("Only the two enterprises' own members and the initiative's facilitators can do this."),
    )
    if connection.status != Connection.Status.ACCEPTED:
        raise ValidationError(
            {
                "text": _(
                    "Messages can be written only once the request to connect is accepted; "
                    "it is “%(status)s”."
                )
                % {"status": connection.get_status_display()}
            }
        )
    text = (text or "").strip()
    label = _("Message")
    if not text:
        raise ValidationError({"text": _("Message: write something to send.")})
    if len(text) > ConnectionMessage.MAX_LENGTH:
        raise ValidationError({"text": _("Message: keep it under 2,000 characters.")})
    problem = long_text_problem(text, str(label))
    if problem:
        raise ValidationError({"text": problem})
    own = roles.organisation_ids(actor)
    sides = (connection.from_profile, connection.to_profile)
    side = next((p for p in sides if p.organisation_id in own), None)
    with transaction.atomic():
        message = ConnectionMessage.objects.create(
            connection=connection,
            author=None if is_system(actor) else actor,
            author_organisation=side.organisation if side else None,
            text=text,
        )
        audit_record(actor=actor, action="create", target=message, summary=str(connection.pk))
        if side is None:  # the initiative's staff: both sides are told
            recipients = [
                *queries.people_of_profile(sides[0]),
                *queries.people_of_profile(sides[1]),
            ]
        else:
            other = sides[1] if side is sides[0] else sides[0]
            recipients = queries.people_of_profile(other)

        def write() -> Message:
            writer = bilingual(side.organisation, "name") if side else _("the initiative")
            author = writer if is_system(actor) else actor.display_name
            return Message(
                _("New message from %(organisation)s") % {"organisation": writer},
                _("%(person)s wrote:") % {"person": author} + "\n\n" + text,
            )

        notify(recipients=recipients, actor=actor, url=connection_url(connection), write=write)
    return message
