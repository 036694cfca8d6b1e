"""`may_brief` for every page: whether to offer the "Briefing packs" link (asked of
briefing's own rule, so the portfolio never imports briefing)."""

from django.utils.functional import SimpleLazyObject

from corridor.briefing.permissions import can_make_packs


def briefing(request) -> dict:
    return {"may_brief": SimpleLazyObject(lambda: can_make_packs(getattr(request, "user", None)))}
