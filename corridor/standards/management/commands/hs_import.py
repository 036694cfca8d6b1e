"""python manage.py hs_import PATH [--sections PATH] [--edition HS2022]"""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from corridor.standards.hs import DEFAULT_EDITION, HsImportError, import_hs


class Command(BaseCommand):
    help = (
        "Load an HS nomenclature from a CSV file in the UN Comtrade format "
        "(section, hscode, description, parent, level). Running it again updates the codes."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="The codes: a CSV file like harmonized-system.csv.")
        parser.add_argument(
            "--sections", default=None, help="The section names: a CSV file like sections.csv."
        )
        parser.add_argument(
            "--edition", default=DEFAULT_EDITION, help="The HS edition of the file, e.g. HS2022."
        )

    def handle(self, *args, path: str, sections: str | None, edition: str, **options):
        try:
            report = import_hs(path, sections_path=sections, edition=edition)
        except HsImportError as exc:
            raise CommandError(_("%(error)s Nothing was imported.") % {"error": exc}) from exc
        self.stdout.write(
            _(
                "%(edition)s: %(sections)d sections, %(chapters)d chapters, %(headings)d headings, "
                "%(subheadings)d subheadings (%(created)d created, %(updated)d updated)."
            )
            % {
                "edition": report.edition,
                "sections": report.sections,
                "chapters": report.chapters,
                "headings": report.headings,
                "subheadings": report.subheadings,
                "created": report.created,
                "updated": report.updated,
            }
        )
