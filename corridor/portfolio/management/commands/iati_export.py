"""python manage.py iati_export PATH [--sector S] [--status S]"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from corridor.core.models import Sector
from corridor.portfolio.iati import export_activities
from corridor.portfolio.models import Project
from corridor.portfolio.queries import ProjectFilter, project_filter


class Command(BaseCommand):
    help = "Export projects as an IATI 2.03 activity file, validated against the IATI schema."

    def add_arguments(self, parser):
        parser.add_argument("path", help="Where to write the XML file.")
        parser.add_argument("--sector", default="", help="Only projects of this sector (code).")
        parser.add_argument("--status", default="", help="Only projects with this status.")

    def handle(self, *args, path: str, sector: str, status: str, **options):
        projects = Project.objects.all()
        if sector:
            if not Sector.objects.filter(code=sector).exists():
                raise CommandError(
                    _("“%(value)s” is not a sector; use one of: %(choices)s.")
                    % {
                        "value": sector,
                        "choices": ", ".join(Sector.objects.values_list("code", flat=True)),
                    }
                )
        if status:
            if status not in Project.Status.values:
                raise CommandError(
                    _("“%(value)s” is not a project status; use one of: %(choices)s.")
                    % {"value": status, "choices": ", ".join(Project.Status.values)}
                )
        projects = project_filter(
            projects, ProjectFilter(sector=sector or None, status=status or None)
        )
        count = projects.count()
        if count == 0:
            raise CommandError(
                _("No project matches, and an IATI file needs at least one; nothing was written.")
            )
        Path(path).write_bytes(export_activities(projects.order_by("signed_on", "id")))
        self.stdout.write(
            _("%(count)d activities written to %(path)s") % {"count": count, "path": path}
        )
