from ninja import Router, Schema

from corridor.core.api import AUTH

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
