"""python manage.py iati_import PATH [--owner NAME | --create-administration NAME] [--kind KIND]
[--country CC]"""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _

from corridor.accounts.models import Organisation
from corridor.accounts.services import organisation_create
from corridor.core.actors import SYSTEM
from corridor.portfolio.iati import DEFAULT_IMPORT_KIND, IatiImportError, import_activities
from corridor.portfolio.models import Project


class Command(BaseCommand):
    help = (
        "Import an IATI activity file (versions 2.01 to 2.03): one project per activity, "
        "created or updated by its IATI identifier. Nothing is written when any activity "
        "is invalid."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="The IATI activity XML file.")
        parser.add_argument(
            "--owner",
            default="",
            help="English name of the organisation new projects are recorded for "
            "(default: the initiative's administration).",
        )
        parser.add_argument(
            "--create-administration",
            default="",
            metavar="NAME",
            help="On a fresh installation: create the initiative's administration "
            "organisation with this English name (country from --country); it owns the "
            "new projects.",
        )
        parser.add_argument(
            "--kind",
            default=DEFAULT_IMPORT_KIND,
            choices=Project.Kind.values,
            help=f"Kind of the new projects (default: {DEFAULT_IMPORT_KIND}).",
        )
        parser.add_argument(
            "--country",
            default="",
            help="ISO 3166 code for new organisations whose IATI ref names no country "
            "(default: left empty, meaning unknown).",
        )

    def handle(self, *args, path: str, owner: str, kind: str, country: str, **options):
        file = Path(path)
        if not file.is_file():
            raise CommandError(_("There is no file at “%(path)s”.") % {"path": path})
        try:
            with transaction.atomic():  # a refused file leaves no new administration behind
                report = import_activities(
                    file,
                    actor=SYSTEM,
                    owner=self._owner(owner, options["create_administration"], country),
                    kind=kind,
                    default_country=country,
                )
        except IatiImportError as exc:
            raise CommandError(str(exc)) from exc
        for warning in report.warnings:
            self.stderr.write(warning)
        self.stdout.write(report.summary())

    def _owner(self, name: str, administration_name: str, country: str) -> Organisation:
        if name:
            owner = Organisation.objects.filter(name_en=name).order_by("id").first()
            if owner is None:
                raise CommandError(
                    _("No organisation is named “%(name)s”; give its exact English name.")
                    % {"name": name}
                )
            return owner
        owner = Organisation.objects.filter(is_administration=True).order_by("id").first()
        if owner is not None and administration_name:
            raise CommandError(
                _(
                    "The initiative already has its administration organisation, "
                    "“%(name)s”; leave out --create-administration."
                )
                % {"name": owner.name_en}
            )
        if owner is not None:
            return owner
        if not administration_name:
            raise CommandError(
                _(
                    "There is no organisation to record the projects for yet. Run the command "
                    'again with --create-administration "English name" --country CC to '
                    "create the initiative's administration organisation, which will own them, "
                    "or name an existing organisation with --owner."
                )
            )
        try:
            return organisation_create(
                actor=SYSTEM,
                name_en=administration_name,
                kind=Organisation.Kind.AGENCY,
                country=country.upper(),
                is_administration=True,
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
