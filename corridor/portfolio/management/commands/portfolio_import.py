"""python manage.py portfolio_import PATH [--as USERNAME] [--owner "Organisation name"]

Imports cooperation projects from a CSV or XLSX file. When any row is bad, prints every
problem (row, column, message) to stderr, writes nothing and exits with status 1.
"""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from corridor.accounts.models import Organisation
from corridor.core.actors import SYSTEM, is_system
from corridor.portfolio import import_store


class Command(BaseCommand):
    help = "Import cooperation projects from a CSV or XLSX file (all rows or none)."

    def add_arguments(self, parser):
        parser.add_argument("path", help="The CSV or XLSX file.")
        parser.add_argument(
            "--as",
            dest="username",
            help="Import as this user (their permissions apply). Default: a system import.",
        )
        parser.add_argument(
            "--owner",
            help="English name of the organisation new projects belong to when a row names "
            "none. Required for a system import; default with --as: the user's organisation.",
        )

    def handle(self, *args, path, username=None, owner=None, **options):
        file = Path(path)
        if not file.is_file():
            raise CommandError(f"No file at {path}.")
        actor = SYSTEM
        if username:
            actor = get_user_model().objects.filter(username=username, is_active=True).first()
            if actor is None:
                raise CommandError(f"No active user is named {username!r}.")
        organisation = None
        if owner:
            matches = list(Organisation.objects.filter(name_en=owner)[:2])
            if len(matches) != 1:
                raise CommandError(
                    f"No organisation is named {owner!r} in English."
                    if not matches
                    else f"Several organisations are named {owner!r}."
                )
            organisation = matches[0]
        elif is_system(actor):
            raise CommandError(
                'Give --owner "Organisation name" (or --as USERNAME): new projects need an '
                "organisation that records them."
            )
        report = import_store.run_import(
            actor=actor, name=file.name, content=file.read_bytes(), owner=organisation
        )
        if not report.ok:
            for error in report.errors:
                row = error.row if error.row is not None else "file"
                self.stderr.write(f"row {row}\t{error.field or '-'}\t{error.message}")
            raise CommandError(f"Nothing imported: {len(report.errors)} problem(s) in {file.name}.")
        self.stdout.write(
            f"{file.name}: {report.rows} rows; {report.created} created, "
            f"{report.updated} updated, {report.unchanged} unchanged."
        )
