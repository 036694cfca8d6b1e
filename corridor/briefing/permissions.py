"""Who may make and read briefing packs: the initiative's staff (its administrators and
facilitators). Enterprise members, partners, regulators' contacts, observers and anonymous
visitors may not. Services ask `require_*`; pages ask `can_*` to offer the link."""

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from corridor.accounts import roles
from corridor.briefing.models import BriefingPack
from corridor.core.actors import is_system


def can_make_packs(user) -> bool:
    """The initiative's administrators and facilitators prepare briefing packs (and the
    system, for `manage.py briefing_pack`)."""
    return is_system(user) or roles.is_facilitator(user)


def require_make_packs(user) -> None:
    if not can_make_packs(user):
        raise PermissionDenied(
            _("Only the initiative's administrators and facilitators prepare briefing packs.")
        )


def packs_visible_to(user) -> QuerySet[BriefingPack]:
    """The packs a person may see and download (`BriefingPack.objects.visible_to`)."""
    return BriefingPack.objects.visible_to(user)


def require_download(user, pack: BriefingPack) -> None:
    if not packs_visible_to(user).filter(pk=pack.pk).exists():
        raise PermissionDenied(
            _(
                "Only the person who asked for this briefing pack and the initiative's "
                "administrators may download it."
            )
        )
