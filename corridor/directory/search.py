"""Directory search, shared by the directory page and the API: the profiles whose texts contain
every searched word (in either language: names, city, descriptions, offers and needs) first,
by name; then the profiles with an offer or need line close in meaning to the search, in
either language, closest first. The other filters (sector, country, city, verified) apply to
both, and both start from `Profile.objects.visible_to(user)`."""

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from corridor.directory import queries, recommendations
from corridor.directory.models import Profile


@dataclass
class Found(Sequence):
    """The profiles found, in order, fetched a page at a time (so the page and the API can
    paginate it like a queryset). A profile found by meaning carries `close_line`, its line
    closest to the search, quoted for the reader (see `recommendations.quoted`); one found
    by its words carries "" there."""

    keys: list[int]
    close_lines: dict[int, str] = field(default_factory=dict)
    words: int = 0  # how many of `keys` (the first ones) were found by their words

    def __len__(self) -> int:
        return len(self.keys)

    def count(self) -> int:
        return len(self.keys)

    def __iter__(self):
        return iter(self[:])

    def __getitem__(self, position):
        if isinstance(position, int):
            return self[position : position + 1][0]
        keys = self.keys[position]
        profiles = (
            Profile.objects.select_related("organisation")
            .prefetch_related("organisation__sectors")
            .in_bulk(keys)
        )
        found = [profiles[key] for key in keys if key in profiles]
        for profile in found:
            line = self.close_lines.get(profile.pk, "")
            # quoted as written, with its language named when it is not the reader's
            profile.close_line = recommendations.quoted(line) if line else ""
        return found


def directory_search(user, filters: queries.DirectoryFilter) -> Found:
    """Profiles matching the search's words, then those close to it in meaning (see the module).
    Without words, every profile passing the filters, by name."""
    q = filters.q
    by_words = list(queries.directory(user, filters).values_list("pk", flat=True))
    if not queries.search_words(q):  # nothing but spaces and punctuation
        return Found(keys=by_words, words=len(by_words))
    close = recommendations.close_in_meaning(user, q, exclude=by_words)
    allowed = set(
        queries.directory(user, replace(filters, q=""))
        .filter(pk__in=[found.key for found in close])
        .values_list("pk", flat=True)
    )
    seen = set(by_words)
    by_meaning = [found for found in close if found.key in allowed and found.key not in seen]
    return Found(
        keys=by_words + [found.key for found in by_meaning],
        close_lines={found.key: found.line for found in by_meaning},
        words=len(by_words),
    )
