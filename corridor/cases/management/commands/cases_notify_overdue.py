"""E-mail the assignees of overdue open issues and the owners of late milestones.

Run daily from cron: `python manage.py cases_notify_overdue`."""

import datetime

from django.core.management.base import BaseCommand, CommandError

from corridor.cases import notifications


class Command(BaseCommand):
    help = "E-mail the assignees of overdue open issues and the owners of late milestones."

    def add_arguments(self, parser):
        parser.add_argument(
            "--date",
            help="Count as overdue what is due before this day (YYYY-MM-DD); default today.",
        )

    def handle(self, *args, **options):
        today = None
        if options.get("date"):
            try:
                today = datetime.date.fromisoformat(options["date"])
            except ValueError as exc:
                raise CommandError(
                    "--date must be a day written YYYY-MM-DD, for example 2025-03-01."
                ) from exc
        sent = notifications.send_overdue(today)
        self.stdout.write(f"Sent {sent} overdue reminder(s).")
