"""Partner recommendations: the Django side of `matching.py`.

Each process keeps one `matching.Candidates` (every embedded profile's mean vectors and
structured signals as arrays) and rebuilds it only when a profile's embeddings change (the
newest `embedded_at` moves, or the number of embedded profiles does) or the shared vector
file does. The vectors are not the process's own: they are the int8 rows of the one file
all processes map (`embeddings.shared_index`, `vector_index.py`). A request then costs
two matrix-vector products, one query for the shortlist's statements and one for the
profiles shown; it never computes an embedding of a profile.
"""

import threading
from dataclasses import dataclass

import numpy as np
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Max
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from corridor.accounts import roles
from corridor.core.bilingual import bilingual
from corridor.core.models import Sector
from corridor.core.vocabularies import country_name
from corridor.directory import embeddings, facets, matching, permissions, vector_index
from corridor.directory.models import Feedback, Profile, Statement
from corridor.directory.queries import feedback_of


@dataclass
class _Index:
    stamp: tuple
    candidates: "matching.Candidates"
    rows: dict[int, int]  # profile id -> row in the arrays
    offer: "vector_index.Int8Vectors"  # rows of the shared file (int8), read like float32
    need: "vector_index.Int8Vectors"
    public: np.ndarray  # bool per row: may be shown to people outside the initiative
    signals: list
    profiles: "_Profiles"

    def signals_of(self, key: int) -> "matching.Signals":
        return self.signals[self.rows[key]]


@dataclass
class _Profiles:
    """What the database says of the embedded profiles (rebuilt when an embedding changes):
    which embedding each holds, its structured signals, whether it is public."""

    stamp: tuple
    fingerprints: dict[int, int]
    signals: dict[int, "matching.Signals"]
    public: dict[int, bool]


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


def _profiles(stamp: tuple) -> _Profiles:
    sectors = _sector_codes()
    found = _Profiles(stamp=stamp, fingerprints={}, signals={}, public={})
    profiles = (
        Profile.objects.filter(embedded_at__isnull=False)
        .select_related("organisation")
        .only(
            "id",
            "embedded_hash",
            "target_markets",
            "visibility",
            "organisation__country",
            "organisation__city",
        )
        .order_by("id")
    )
    for profile in profiles.iterator(chunk_size=2000):
        found.fingerprints[profile.pk] = embeddings.fingerprint(profile.embedded_hash)
        found.signals[profile.pk] = _signals_of(profile, sectors.get(profile.organisation_id, []))
        found.public[profile.pk] = profile.visibility == Profile.Visibility.PUBLIC
    return found


def _build(stamp: tuple, profiles: _Profiles) -> _Index:
    """The vectors are the shared file's (`embeddings.shared_index`), mapped, never copied
    into this process; the signals are this process's, for the same rows."""
    shared = embeddings.shared_index(profiles.fingerprints)
    keys = shared.keys.tolist()
    nowhere = matching.Signals()  # a row the database no longer has (never shown)
    signals = [profiles.signals.get(key, nowhere) for key in keys]
    return _Index(
        stamp=(stamp[0], shared.identity),
        candidates=matching.Candidates(keys, shared.offer, shared.need, signals),
        rows={key: row for row, key in enumerate(keys)},
        offer=shared.offer,
        need=shared.need,
        public=np.array([profiles.public.get(key, False) for key in keys], dtype=bool),
        signals=signals,
        profiles=profiles,
    )


def current_index() -> _Index:
    """The process's index, rebuilt if profiles were embedded since it was built or the
    shared file was written again (by the task, or another process putting it right)."""
    global _index
    stamp = (_stamp(), vector_index.identity(embeddings.index_path()))
    with _lock:
        if _index is None or _index.stamp != stamp:
            profiles = _index.profiles if _index is not None else None
            if profiles is None or profiles.stamp != stamp[0]:
                profiles = _profiles(stamp[0])
            _index = _build(stamp, profiles)
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


def reader_language() -> str:
    """ "zh" or "en": the language the page is shown in."""
    return "zh" if (get_language() or "").lower().startswith("zh") else "en"


def quoted(line: str, counterpart: str = "") -> str:
    """A quoted offer or need line, as its author wrote it. When it is not in the reader's
    language, the profile's own version in the reader's language follows it if the profile
    has one (`matching.counterpart`); otherwise the reader is told which language it is in."""
    reader = reader_language()
    if matching.language_of(line) == reader:
        return _("“%(line)s”") % {"line": line}
    if counterpart and matching.language_of(counterpart) == reader:
        if reader == "zh":
            return _("“%(line)s” (in Chinese: “%(translation)s”)") % {
                "line": line,
                "translation": counterpart,
            }
        return _("“%(line)s” (in English: “%(translation)s”)") % {
            "line": line,
            "translation": counterpart,
        }
    if reader == "zh":
        return _("“%(line)s” (in English)") % {"line": line}
    return _("“%(line)s” (in Chinese)") % {"line": line}


# The words of the decisive facets (`facets.Point`), in the reader's language. Codes of
# authorities and currencies (SFA, NMPA, SGD) are written as they are in both languages.
_PLACES = {
    "CQ": gettext_lazy("Chongqing"),
    "ASEAN": gettext_lazy("South-East Asia"),
}
_TEMPERATURES = {
    "deep-frozen": gettext_lazy("deep-frozen"),
    "frozen": gettext_lazy("frozen"),
    "chilled": gettext_lazy("chilled"),
    "ambient": gettext_lazy("ambient"),
    "live": gettext_lazy("live"),
    "cold": gettext_lazy("cold chain"),
}
_PAYMENT = {
    "letter-of-credit": gettext_lazy("letter of credit"),
    "telegraphic-transfer": gettext_lazy("telegraphic transfer"),
    "open-account": gettext_lazy("open account"),
    "advance": gettext_lazy("payment in advance"),
    "non-recourse": gettext_lazy("without recourse"),
    "recourse": gettext_lazy("with recourse"),
}
_AUTHORITIES = {
    "halal": gettext_lazy("halal"),
    "IATA DG": gettext_lazy("dangerous goods"),
    "China Green Building": gettext_lazy("China Green Building label"),
    "CLS": gettext_lazy("Cybersecurity Labelling Scheme"),
}
_SCALE = {
    "full containers": gettext_lazy("full containers"),
    "LCL": gettext_lazy("less than a container (LCL)"),
    "pallets": gettext_lazy("pallets"),
    "parcels": gettext_lazy("single parcels"),
    "bulk": gettext_lazy("bulk"),
    "small batches": gettext_lazy("small batches"),
    "utility-scale": gettext_lazy("utility scale"),
    "household": gettext_lazy("household scale"),
}
_LANGUAGES = {
    "Chinese": gettext_lazy("Chinese"),
    "English": gettext_lazy("English"),
    "Malay": gettext_lazy("Malay"),
}
_ROLES = {
    "buyer": gettext_lazy("buyer"),
    "seller": gettext_lazy("seller"),
    "maker": gettext_lazy("maker"),
    "distributor": gettext_lazy("distributor"),
    "certifier": gettext_lazy("certifier"),
    "forwarder": gettext_lazy("forwarder"),
    "investor": gettext_lazy("investor"),
    "lessor": gettext_lazy("lessor"),
    "airline": gettext_lazy("airline"),
    "recruiter": gettext_lazy("clinical research organisation"),
    "trainer": gettext_lazy("trainer"),
    "installer": gettext_lazy("installer"),
    "broker": gettext_lazy("customs broker"),
    "recycler": gettext_lazy("recycler"),
}


def _place(code: str) -> str:
    return str(_PLACES[code]) if code in _PLACES else country_name(code)


def _route(value: str) -> str:
    origin, _sep, destination = value.partition(">")
    if origin and destination:
        return _("%(origin)s → %(destination)s") % {
            "origin": _place(origin),
            "destination": _place(destination),
        }
    if destination:
        return _("to %(place)s") % {"place": _place(destination)}
    return _("from %(place)s") % {"place": _place(origin)}


def _temperature(value: str) -> str:
    """ "frozen -18" -> "frozen −18 °C"; "chilled 2..8" -> "chilled 2–8 °C"."""
    classes, _sep, degrees = value.partition(" ")
    words = " / ".join(str(_TEMPERATURES.get(c, c)) for c in classes.split("/") if c)
    if not degrees:
        return words
    low, _dots, high = (part.replace("-", "−") for part in degrees.partition(".."))  # minus sign
    span = f"{low}–{high}" if high else low
    return f"{words} {span} °C"


def _value(kind: str, value: str) -> str:
    """One facet value in words."""
    if kind == "route":
        return _route(value)
    if kind == "temperature":
        return _temperature(value)
    if kind == "payment":
        return str(_PAYMENT.get(value, value))
    if kind == "authority":
        return str(_AUTHORITIES.get(value, value))
    if kind == "scale":
        return str(_SCALE.get(value, value))
    if kind == "language":
        return str(_LANGUAGES.get(value, value))
    if kind == "role":
        return str(_ROLES.get(value, value))
    if kind == "product":
        return facets.product_name(value, reader_language())
    if kind == "place":
        return _("in %(place)s") % {"place": _place(value)}
    return value  # currency codes


def point_text(point: "facets.Point") -> str:
    """One matching or differing facet in words: "Singapore → Chongqing", "frozen −18 °C",
    "seller, not buyer", "excludes halal"."""
    if point.kind == "excluded":
        kind, _sep, value = point.value.partition(":")
        return _("excludes %(what)s") % {"what": _value(kind, value)}
    if point.kind == "domestic_only":
        return _("domestic market only")
    if point.kind == "also_seeking":
        return _("they are looking for this too")
    if point.wanted and point.value:
        return _("%(theirs)s, not %(yours)s") % {
            "theirs": _value(point.kind, point.value),
            "yours": _value(point.kind, point.wanted),
        }
    if point.wanted:
        return _("not %(yours)s") % {"yours": _value(point.kind, point.wanted)}
    return _value(point.kind, point.value)


def facets_text(reason: "matching.Reason") -> str:
    """ "Matches: …; differs: …." for a quoted pair of lines, "" when no facet was found."""
    matches = _(", ").join(point_text(p) for p in reason.matches)
    differs = _(", ").join(point_text(p) for p in reason.differs)
    if matches and differs:
        return _("Matches: %(matches)s; differs: %(differs)s.") % {
            "matches": matches,
            "differs": differs,
        }
    if matches:
        return _("Matches: %(matches)s.") % {"matches": matches}
    if differs:
        return _("Differs: %(differs)s.") % {"differs": differs}
    return ""


def reason_text(reason: "matching.Reason") -> str:
    """One reason in the reader's language. The quoted lines stay as their authors wrote them,
    each followed by its version in the reader's language where the profile has one; then
    the decisive facets on which the offer meets the need, and those on which it differs."""
    if reason.kind in ("their_offer_meets_your_need", "your_offer_meets_their_need"):
        values = {
            "offer": quoted(reason.offer, reason.offer_counterpart),
            "need": quoted(reason.need, reason.need_counterpart),
        }
        if reason.kind == "their_offer_meets_your_need":
            text = _("Their offer %(offer)s meets your need %(need)s.") % values
        else:
            text = _("Your offer %(offer)s meets their need %(need)s.") % values
        decisive = facets_text(reason)
        return (
            _("%(reason)s %(facets)s") % {"reason": text, "facets": decisive} if decisive else text
        )
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
    if not permissions.acts_for(user, profile):
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


# Search by meaning. A search is scored against every offer and need line of a shortlist of
# profiles: the `SEARCH_SHORTLIST` whose mean offer or need vector is closest to it (one
# matrix-vector product over the index), then their lines (one query). Measured on the demo
# profiles with the plain vector of the search (`Encoder.encode_search`): unrelated searches
# ("weather", "天气预报", "quantum chips for satellites", "law firm", "律师") reach at most
# 0.32 on any line; "trade finance" scores the Chinese lines saying 贸易融资 0.55, 0.49, 0.45,
# 0.39, 0.38, 0.37 and "贸易融资" the English one 0.37, so a profile is shown from 0.35.
SEARCH_THRESHOLD = 0.35
SEARCH_SHORTLIST = 100


@dataclass(frozen=True)
class CloseInMeaning:
    """A profile found by meaning, with its line closest to the search."""

    key: int
    similarity: float
    line: str


def close_in_meaning(user, text: str, *, exclude=()) -> list[CloseInMeaning]:
    """Profiles with an offer or need line close in meaning to the searched words, in either
    language, closest first: a Chinese search finds English profiles and the reverse, which
    words alone cannot. Encodes the search text (never a profile) and scores stored vectors.
    Members-only profiles are left out for people outside the initiative, and the profiles in
    `exclude` (those already found by their words) are not shortlisted."""
    text = (text or "").strip()[:300]
    index = current_index()
    if not text or not index.rows:
        return []
    vector = matching.encoder().encode_search(text)
    allowed = np.ones(len(index.rows), dtype=bool)
    if not roles.is_initiative_member(user):
        allowed &= index.public
    excluded = [index.rows[key] for key in exclude if key in index.rows]
    if excluded:
        allowed[excluded] = False
    if len(allowed) > matching.COARSE_FROM:  # the compact first pass, as in `shortlist`
        depth = matching.COARSE_DEPTH
        near = np.union1d(
            index.offer.nearest(vector, depth, allowed), index.need.nearest(vector, depth, allowed)
        )
        scores = np.full(len(allowed), -np.inf, dtype=np.float32)
        scores[near] = np.maximum(index.offer.take(near) @ vector, index.need.take(near) @ vector)
    else:
        scores = np.maximum(index.offer @ vector, index.need @ vector)
    scores = np.where(allowed, scores, -np.inf)
    count = min(SEARCH_SHORTLIST, len(scores))
    rows = np.argpartition(-scores, count - 1)[:count]
    keys = list(index.rows)
    shortlist = [keys[row] for row in rows if np.isfinite(scores[row])]
    best: dict[int, CloseInMeaning] = {}
    for key, line, stored in Statement.objects.filter(profile_id__in=shortlist).values_list(
        "profile_id", "text", "vector"
    ):
        similarity = float(matching.from_bytes(bytes(stored)) @ vector)
        if similarity >= SEARCH_THRESHOLD and (
            key not in best or similarity > best[key].similarity
        ):
            best[key] = CloseInMeaning(key=key, similarity=similarity, line=line)
    return sorted(best.values(), key=lambda found: (-found.similarity, found.key))
