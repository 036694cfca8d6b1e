"""python manage.py briefing_pack --since DATE --lang en|zh --format pdf|xlsx --output PATH"""

from datetime import date
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from corridor.briefing import services
from corridor.core.actors import SYSTEM

LANGUAGES = {"en": "en", "zh": "zh-hans", "zh-hans": "zh-hans"}


class Command(BaseCommand):
    help = (
        "Write the briefing pack for the bilateral steering meeting (PDF with charts, or XLSX "
        "with one sheet per section): the registry's figures beside the published ones and "
        "what changed since a date. Reads every record, or what --as USERNAME may see."
    )

    def add_arguments(self, parser):
        parser.add_argument("--since", required=True, help="Changes from this date (YYYY-MM-DD).")
        parser.add_argument("--lang", default="en", choices=sorted(LANGUAGES), help="en or zh.")
        parser.add_argument("--format", default="pdf", choices=["pdf", "xlsx"])
        parser.add_argument("--output", required=True, help="Where to write the file.")
        parser.add_argument(
            "--as", dest="username", default="", help="Only what this staff member may see."
        )

    def handle(self, *args, since: str, lang: str, format: str, output: str, username: str, **o):
        try:
            since_date = date.fromisoformat(since)
        except ValueError as exc:
            raise CommandError(
                _("--since: “%(value)s” is not a date; write it as YYYY-MM-DD.") % {"value": since}
            ) from exc
        actor = SYSTEM
        if username:
            actor = get_user_model().objects.filter(username=username).first()
            if actor is None:
                raise CommandError(_("--as: no user is called “%(name)s”.") % {"name": username})

        try:
            content, sections = services.pack_render(
                actor=actor, since=since_date, language=LANGUAGES[lang], fmt=format
            )
        except ValidationError as exc:
            names = {"since": "--since", "language": "--lang", "format": "--format"}
            raise CommandError(
                " ".join(
                    f"{names.get(field, field)}: {message}"
                    for field, messages in exc.message_dict.items()
                    for message in messages
                )
            ) from exc
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from exc
        Path(output).write_bytes(content)
        self.stdout.write(
            _("Briefing pack with %(sections)d sections written to %(path)s (%(size)d bytes).")
            % {"sections": sections, "path": output, "size": len(content)}
        )
