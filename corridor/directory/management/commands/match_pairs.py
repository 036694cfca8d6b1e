"""python manage.py match_pairs PATH.jsonl [--ranker combined|meaning|encoder|bm25]

Ranks every need of a JSON-lines file of need/offer pairs against all its offers and prints
one JSON object: {"n": needs, "top1": ..., "top5": ..., "ndcg10": ...}. The file format and
the rankers are described in corridor/directory/evaluation.py; "combined" (the default) is
the product's own ranking code, `matching.recommend`.
"""

import json

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext_lazy as _

from corridor.directory import evaluation, matching

# One whole sentence per problem code of evaluation.BadLine.
MESSAGES = {
    "unreadable": _("Cannot read %(path)s: %(error)s."),
    "no_needs": _("%(path)s has no line with a need, so there is nothing to rank."),
    "json": _("Line %(line)s of %(path)s is not valid JSON: %(error)s."),
    "not_object": _("Line %(line)s of %(path)s is not a JSON object; write one pair per line."),
    "unknown_field": _(
        "Line %(line)s of %(path)s has an unknown field “%(field)s”; use id, need, offer, "
        "need_profile and offer_profile."
    ),
    "id": _("Line %(line)s of %(path)s has no “id”; give every line a unique text id."),
    "duplicate_id": _(
        "Line %(line)s of %(path)s repeats the id “%(id)s” of line %(first)s; ids must be unique."
    ),
    "offer": _("Line %(line)s of %(path)s has no “offer” text; every line needs one."),
    "need": _(
        "Line %(line)s of %(path)s has a “need” that is neither text nor null; write the need "
        "or null for a distractor."
    ),
    "profile": _("Line %(line)s of %(path)s: “%(field)s” must be a JSON object."),
    "profile_field": _(
        "Line %(line)s of %(path)s: “%(field)s” has an unknown field “%(key)s”; use country, "
        "city, sectors and target_markets."
    ),
    "country": _(
        "Line %(line)s of %(path)s: the country in “%(field)s” must be a two-letter ISO code, "
        "not %(value)s."
    ),
    "city": _("Line %(line)s of %(path)s: the city in “%(field)s” must be text."),
    "sectors": _("Line %(line)s of %(path)s: the sectors in “%(field)s” must be a list of codes."),
    "sector": _(
        "Line %(line)s of %(path)s: “%(value)s” in “%(field)s” is not a sector code; use one "
        "of: %(codes)s."
    ),
    "markets": _(
        "Line %(line)s of %(path)s: the target markets in “%(field)s” must be a list of "
        "two-letter ISO codes."
    ),
}


def message(error: evaluation.BadLine) -> str:
    """The translated sentence for a problem found by evaluation.load."""
    params = {**error.params, "codes": ", ".join(matching.SECTOR_CODES)}
    return str(MESSAGES[error.problem]) % params


class Command(BaseCommand):
    help = (
        "Rank every need of a JSON-lines file of need/offer pairs against all its offers and "
        'print {"n", "top1", "top5", "ndcg10"} as one JSON object.'
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="the JSON-lines file, e.g. bench/matching_pairs.jsonl")
        parser.add_argument(
            "--ranker",
            choices=evaluation.RANKERS,
            default="combined",
            help="combined (the product's ranking, default), encoder alone, or bm25 alone",
        )

    def handle(self, *args, path: str, ranker: str, **options):
        try:
            lines = evaluation.load(path)
        except evaluation.BadLine as error:
            raise CommandError(message(error)) from error
        result = evaluation.evaluate(evaluation.prepare(lines), ranker)
        self.stdout.write(json.dumps(result))
