"""The accounts' part of the API: who is calling (authentication, used by every app's
router), the lookups of an organisation or a person a payload names by id (every app's
writes), and /api/accounts/me.

Authentication: the browser session (with CSRF on unsafe methods) or a personal token sent
as `Authorization: Bearer <token>`. Public reads use AUTH_OR_ANONYMOUS: a request without
credentials passes as the anonymous user (and sees only what is published), but a token
that is wrong or revoked is refused with 401 rather than silently treated as anonymous.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from corridor.accounts.models import ApiToken, Organisation


class TokenAuth(HttpBearer):
    def authenticate(self, request, token):
        api_token = ApiToken.objects.for_raw(token).first()
        if api_token is None:
            # A token was sent but is unknown or revoked: refuse (401), never fall back.
            raise AuthenticationError()
        ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=timezone.now())
        request.user = api_token.user
        return api_token.user


class SessionAuth(APIKeyCookie):
    """The Django session; unsafe methods also need the CSRF token."""

    param_name = settings.SESSION_COOKIE_NAME

    def __init__(self):
        super().__init__(csrf=True)

    def _get_key(self, request):
        if not request.user.is_authenticated:
            # No session: let the next method answer (anonymous read, or 401).
            return None
        if not getattr(request, "_ninja_csrf_exempt", False) and check_csrf(request):
            raise HttpError(
                403,
                _("The CSRF token is missing or wrong; reload the page and try again."),
            )
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request, key):
        if request.user.is_authenticated:
            return request.user
        return None


class Anonymous:
    """Lets a request through without credentials (public reads): `request.auth` is then
    the anonymous user, which is truthy, so ninja stops looking and does not answer 401.
    The OpenAPI document marks an operation that accepts it as needing no credentials."""

    allows_anonymous = True

    def __call__(self, request):
        return getattr(request, "user", None) or True


token_auth = TokenAuth()
session_auth = SessionAuth()
AUTH = [token_auth, session_auth]
AUTH_OR_ANONYMOUS = [token_auth, session_auth, Anonymous()]


def organisation_by_id(organisation_id: int, field: str):
    """The organisation a payload names by id, or a 400 naming the payload's field."""
    organisation = Organisation.objects.filter(pk=organisation_id).first()
    if organisation is None:
        raise ValidationError(
            {field: _("No organisation has the id “%(value)s”.") % {"value": organisation_id}}
        )
    return organisation


def person_by_id(user_id: int | None, field: str):
    """The person a payload names by id (None when it names nobody), or a 400 naming the
    payload's field."""
    if user_id is None:
        return None
    user = get_user_model().objects.filter(pk=user_id).first()
    if user is None:
        raise ValidationError({field: _("No person has the id “%(value)s”.") % {"value": user_id}})
    return user


router = Router(tags=["accounts"])


class MembershipOut(Schema):
    organisation_id: int
    organisation: str
    role: str


class MeOut(Schema):
    id: int
    username: str
    name_en: str
    name_zh: str
    memberships: list[MembershipOut]


@router.get("/me", response=MeOut, auth=AUTH)
def me(request):
    user = request.auth
    return {
        "id": user.id,
        "username": user.username,
        "name_en": user.name_en,
        "name_zh": user.name_zh,
        "memberships": [
            {
                "organisation_id": m.organisation_id,
                "organisation": str(m.organisation),
                "role": m.role,
            }
            for m in user.memberships.select_related("organisation")
        ],
    }
