"""Writes for accounts: organisations, memberships, API tokens, notifications read."""

from axes.utils import reset as axes_reset
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from corridor.accounts import roles
from corridor.accounts.models import ApiToken, Membership, Notification, Organisation, User
from corridor.core.actors import is_system
from corridor.core.audit import audit_record
from corridor.core.vocabularies import is_country


def _may_administer(actor) -> bool:
    """The initiative's administrators, and the system (demo loaders, imports)."""
    return is_system(actor) or roles.is_initiative_admin(actor)


def organisation_create(
    *,
    actor,
    name_en: str,
    name_zh: str = "",
    kind: str,
    country: str,
    city: str = "",
    is_synthetic: bool = False,
    is_administration: bool = False,
    iati_ref: str = "",
) -> Organisation:
    """A new organisation; `country` may be empty when it is not known (e.g. from an import)."""
    if not _may_administer(actor):
        raise PermissionDenied(_("Only the initiative's administrators can add organisations."))
    errors = {}
    if not name_en.strip() and not name_zh.strip():
        errors["name_en"] = _("Give the organisation's name in English or Chinese.")
    if kind not in Organisation.Kind.values:
        errors["kind"] = _("“%(value)s” is not a kind of organisation.") % {"value": kind}
    if country and not is_country(country):
        errors["country"] = _("“%(value)s” is not an ISO 3166 country code.") % {"value": country}
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        organisation = Organisation.objects.create(
            name_en=name_en.strip(),
            name_zh=name_zh.strip(),
            kind=kind,
            country=country.upper(),
            city=city.strip(),
            is_synthetic=is_synthetic,
            is_administration=is_administration,
            iati_ref=iati_ref.strip(),
        )
        audit_record(
            actor=actor,
            action="create",
            target=organisation,
            summary=organisation.name_en or organisation.name_zh,
        )
    return organisation


def membership_add(*, actor, user: User, organisation: Organisation, role: str) -> Membership:
    if not _may_administer(actor):
        raise PermissionDenied(_("Only the initiative's administrators can add members."))
    if role not in Membership.Role.values:
        raise ValidationError({"role": _("“%(value)s” is not a role.") % {"value": role}})
    with transaction.atomic():
        membership, _created = Membership.objects.update_or_create(
            user=user, organisation=organisation, defaults={"role": role}
        )
        audit_record(actor=actor, action="create", target=membership, summary=str(membership))
    roles.forget(user)
    return membership


def api_token_create(*, actor: User, label: str) -> tuple[ApiToken, str]:
    """A new personal token; returns it with its raw value, which is never stored."""
    if not label.strip():
        raise ValidationError({"label": _("Give the token a label so you can recognise it.")})
    raw = ApiToken.new_raw_key()
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=actor, label=label.strip(), key_hash=ApiToken.hash(raw)
        )
        audit_record(actor=actor, action="create", target=token, summary=token.label)
    return token, raw


def api_token_revoke(*, actor: User, token_id: int) -> None:
    token = ApiToken.objects.filter(pk=token_id, user=actor).first()
    if token is None:
        raise PermissionDenied(_("You can only revoke your own tokens."))
    with transaction.atomic():
        audit_record(actor=actor, action="delete", target=token, summary=token.label)
        token.delete()


def login_lockout_clear(*, user: User) -> int:
    """Lift the log-in lockout of `user` (every address), once they have proved who they are
    by setting a new password through the e-mailed link. Returns the attempts removed."""
    with transaction.atomic():
        removed = axes_reset(username=user.get_username())
        audit_record(
            actor=user,
            action="update",
            target=user,
            summary=_("Password reset by e-mail; failed log-in attempts cleared."),
        )
    return removed


def notification_mark_read(*, actor: User, notification_id: int) -> Notification:
    """Mark one of the person's own notifications read (another's is refused, saying
    nothing of whether it exists)."""
    notification = Notification.objects.visible_to(actor).filter(pk=notification_id).first()
    if notification is None:
        raise PermissionDenied(_("You can only mark your own notifications as read."))
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def notifications_mark_all_read(*, actor: User) -> int:
    """Mark every unread notification of the person read; returns how many."""
    return Notification.objects.visible_to(actor).unread().update(read_at=timezone.now())


def user_language_set(*, actor: User, language: str) -> User:
    """Store the person's language for pages and e-mails; "" means the site's default."""
    if language not in {code for code, _name in settings.LANGUAGES} | {""}:
        raise ValidationError(
            {"language": _("“%(value)s” is not a language Corridor speaks.") % {"value": language}}
        )
    if actor.language == language:
        return actor
    with transaction.atomic():
        User.objects.filter(pk=actor.pk).update(language=language)
        actor.language = language
        audit_record(
            actor=actor,
            action="update",
            target=actor,
            summary=_("Language set to “%(language)s”.") % {"language": language or "—"},
        )
    return actor


def notification_emails_send(notification_ids: list[int]) -> int:
    """E-mail each notification not e-mailed yet to its recipient, in their preferred
    language. Returns the e-mails sent."""
    sent = 0
    notifications = (
        Notification.objects.filter(pk__in=notification_ids, emailed_at__isnull=True)
        .select_related("recipient")
        .order_by("pk")
    )
    for notification in notifications:
        person = notification.recipient
        if not person.email or not person.is_active:
            continue
        language = person.preferred_language
        with translation.override(language):
            lines = [_("Hello %(name)s,") % {"name": person.display_name}, ""]
            body = notification.body_in(language)
            if body:
                lines += [body, ""]
            if notification.url:
                lines.append(
                    _("Open it in Corridor: %(url)s")
                    % {"url": settings.SITE_URL.rstrip("/") + notification.url}
                )
            subject = notification.subject_in(language)
        send_mail(subject, "\n".join(lines), settings.DEFAULT_FROM_EMAIL, [person.email])
        Notification.objects.filter(pk=notification.pk).update(emailed_at=timezone.now())
        sent += 1
    return sent
