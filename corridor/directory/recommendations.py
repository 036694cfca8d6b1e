"""Partner recommendations: the Django side of `matching.py`.

Each process keeps one `matching.Candidates` (every embedded profile's mean vectors and
structured signals as arrays) and rebuilds it only when a profile's embeddings change (the
newest `embedded_at` moves, or the number of embedded profiles does). A request then costs
two matrix-vector products, one query for the shortlist's statements and one for the
profiles shown; it never computes an embedding of a profile.
"""

import threading
from dataclasses import dataclass

import numpy as np
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Max
from django.utils.translation import gettext as _

from corridor.accounts import roles
from corridor.core.bilingual import bilingual
from corridor.core.models import Sector
from corridor.core.vocabularies import country_name
from corridor.directory import matching
from corridor.directory.models import Feedback, Profile, Statement
from corridor.directory.queries import feedback_of
from corridor.directory.services import acts_for


@dataclass
class _Index:
    stamp: tuple
    candidates: "matching.Candidates"
    rows: dict[int, int]  # profile id -> row in the arrays
    offer: np.ndarray
    need: np.ndarray
    public: np.ndarray  # bool per row: may be shown to people outside the initiative
    signals: list

    def signals_of(self, key: int) -> "matching.Signals":
        return self.signals[self.rows[key]]


_lock = threading.Lock()
_index: _Index | None = None


def _stamp() -> tuple:
    embedded = Profile.objects.filter(embedded_at__isnull=False)
    figures = embedded.aggregate(latest=Max("embedded_at"), count=Count("id"))
    return (figures["latest"], figures["count"])


def _signals_of(profile: Profile, sector_codes: list[str]) -> "matching.Signals":
    organisation = profile.organisation
    return matching.Signals(
        country=(organisation.country or "").upper(),
        city=organisation.city,
        sectors=frozenset(sector_codes),
        target_markets=frozenset(profile.target_markets or []),
    )


def _sector_codes() -> dict[int, list[str]]:
    through = Profile.organisation.field.related_model.sectors.through
    codes: dict[int, list[str]] = {}
    for organisation_id, code in through.objects.values_list("organisation_id", "sector__code"):
        codes.setdefault(organisation_id, []).append(code)
    return codes


def _build(stamp: tuple) -> _Index:
    sectors = _sector_codes()
    keys, offers, needs, signals, public = [], [], [], [], []
    profiles = (
        Profile.objects.filter(embedded_at__isnull=False)
        .select_related("organisation")
        .only(
            "id",
            "offer_vector",
            "need_vector",
            "target_markets",
            "visibility",
            "organisation__country",
            "organisation__city",
        )
        .order_by("id")
    )
    for profile in profiles.iterator(chunk_size=2000):
        keys.append(profile.pk)
        offers.append(matching.from_bytes(bytes(profile.offer_vector)))
        needs.append(matching.from_bytes(bytes(profile.need_vector)))
        signals.append(_signals_of(profile, sectors.get(profile.organisation_id, [])))
        public.append(profile.visibility == Profile.Visibility.PUBLIC)
    shape = (0, matching.DIMENSIONS)
    offer = np.vstack(offers) if offers else np.zeros(shape, np.float32)
    need = np.vstack(needs) if needs else np.zeros(shape, np.float32)
    return _Index(
        stamp=stamp,
        candidates=matching.Candidates(keys, offer, need, signals),
        rows={key: row for row, key in enumerate(keys)},
        offer=offer,
        need=need,
        public=np.array(public, dtype=bool),
        signals=signals,
    )


def current_index() -> _Index:
    """The process's index, rebuilt if profiles were embedded since it was built."""
    global _index
    stamp = _stamp()
    with _lock:
        if _index is None or _index.stamp != stamp:
            _index = _build(stamp)
        return _index


def _side(profile_id: int, signals, statements: list[Statement]) -> "matching.Side":
    offers, needs = [], []
    for statement in statements:
        item = matching.Item(
            text=statement.text, vector=matching.from_bytes(bytes(statement.vector))
        )
        (offers if statement.kind == Statement.Kind.OFFER else needs).append(item)
    return matching.Side(key=profile_id, signals=signals, offers=tuple(offers), needs=tuple(needs))


def _sides_for(index: _Index, keys: list[int]) -> dict[int, "matching.Side"]:
    by_profile: dict[int, list[Statement]] = {key: [] for key in keys}
    for statement in Statement.objects.filter(profile_id__in=keys).only(
        "profile_id", "kind", "position", "text", "vector"
    ):
        by_profile[statement.profile_id].append(statement)
    return {
        key: _side(key, index.signals_of(key), statements) for key, statements in by_profile.items()
    }


@dataclass
class Recommended:
    profile: Profile
    score: float
    reasons: list[str]
    verdict: str = ""  # this user's feedback on it, if any


def reason_text(reason: "matching.Reason") -> str:
    """One reason in the reader's language; the quoted lines stay as their authors wrote them."""
    if reason.kind == "their_offer_meets_your_need":
        return _("Their offer “%(offer)s” meets your need “%(need)s”.") % {
            "offer": reason.offer,
            "need": reason.need,
        }
    if reason.kind == "your_offer_meets_their_need":
        return _("Your offer “%(offer)s” meets their need “%(need)s”.") % {
            "offer": reason.offer,
            "need": reason.need,
        }
    if reason.kind == "sectors":
        names = {
            s.code: bilingual(s, "name") for s in Sector.objects.filter(code__in=reason.detail)
        }
        return _("Sectors that work together: %(sectors)s.") % {
            "sectors": _(" and ").join(names.get(code, code) for code in reason.detail)
        }
    if reason.kind == "targets_your_market":
        return _("They are looking for partners in %(country)s, where you are.") % {
            "country": country_name(reason.detail[0]) if reason.detail else ""
        }
    if reason.kind == "in_your_target_market":
        return _("They are in %(country)s, one of your target markets.") % {
            "country": country_name(reason.detail[0]) if reason.detail else ""
        }
    if reason.kind == "like_ones_you_liked":
        return _("They resemble enterprises you marked as interesting.")
    return ""


def recommendations_for(
    user, profile: Profile, *, limit: int = 10, across_border: bool = True
) -> list[Recommended] | None:
    """Counterparts for `profile`, best first, each with its reasons in the reader's language;
    None while the profile's embeddings are still being computed. The user's own feedback
    shapes the ranking: "not relevant" ones are left out and similar ones fall, similar ones
    to "interested" rise."""
    if not acts_for(user, profile):
        raise PermissionDenied(
            _("Only the enterprise's own members and the initiative's facilitators can do this.")
        )
    index = current_index()
    row = index.rows.get(profile.pk)
    if row is None:
        return None
    side = _sides_for(index, [profile.pk])[profile.pk]
    feedback = feedback_of(user, profile)
    liked = [index.rows[k] for k, v in feedback.items() if v == "interested" and k in index.rows]
    disliked = [
        index.rows[k] for k, v in feedback.items() if v == "not_relevant" and k in index.rows
    ]
    exclude = {profile.pk} | {k for k, v in feedback.items() if v == "not_relevant"}
    if not roles.is_initiative_member(user):
        exclude |= {key for key, r in index.rows.items() if not index.public[r]}
    query = matching.Query(
        side=side,
        offer=index.offer[row],
        need=index.need[row],
        across_border=across_border,
        exclude=frozenset(exclude),
        liked=index.offer[liked] if liked else None,
        disliked=index.offer[disliked] if disliked else None,
    )
    ranked = matching.recommend(
        query, index.candidates, lambda keys: _sides_for(index, keys), limit=limit + 5
    )
    shown = (
        Profile.objects.visible_to(user)
        .select_related("organisation")
        .prefetch_related("organisation__sectors")
        .in_bulk([r.key for r in ranked])
    )
    return [
        Recommended(
            profile=shown[r.key],
            score=r.score,
            reasons=[text for text in map(reason_text, r.reasons) if text],
            verdict=feedback.get(r.key, ""),
        )
        for r in ranked
        if r.key in shown
    ][:limit]


def hidden_for(user, profile: Profile) -> list[Profile]:
    """The counterparts this user marked "not relevant" for this profile (so they can undo)."""
    ids = [k for k, v in feedback_of(user, profile).items() if v == Feedback.Verdict.NOT_RELEVANT]
    return list(Profile.objects.visible_to(user).select_related("organisation").filter(pk__in=ids))


# Matching vectors are centred per language (see matching.Encoder), so an unrelated statement
# scores low; measured on the demo profiles, unrelated searches ("weather", "quantum chips for
# satellites") peak near 0.42 and related ones reach 0.5-0.7, so from 0.45 a profile is shown
# as close in meaning to a search.
MEANING_THRESHOLD = 0.45


def close_in_meaning(user, text: str, *, limit: int = 6, exclude=(), within=None) -> list[Profile]:
    """Profiles whose offers or needs are closest in meaning to the searched words, in either
    language: a Chinese search finds English profiles and the reverse, which words alone
    cannot. Encodes the search text (not any profile) and scores the stored vectors.
    `within` narrows to a queryset of profiles (the directory's other filters)."""
    text = (text or "").strip()
    index = current_index()
    if not text or not index.rows:
        return []
    vector = matching.encoder().encode([text[:300]])[0]
    scores = np.maximum(index.offer @ vector, index.need @ vector)
    if not roles.is_initiative_member(user):
        scores = np.where(index.public, scores, -1.0)
    keys = list(index.rows)
    excluded = set(exclude)
    ranked = [
        keys[row]
        for row in np.argsort(-scores)[: 5 * limit + len(excluded)]
        if scores[row] >= MEANING_THRESHOLD and keys[row] not in excluded
    ]
    shown = (
        (within if within is not None else Profile.objects.visible_to(user))
        .select_related("organisation")
        .prefetch_related("organisation__sectors")
        .in_bulk(ranked)
    )
    return [shown[key] for key in ranked if key in shown][:limit]
