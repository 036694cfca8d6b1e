"""`python manage.py load_events_demo`: the matchmaking-event demo — a synthetic two-day visit
of the 30 Singapore enterprises of the directory demo to a Chongqing free-trade zone, where
they meet 40 Chongqing enterprises; their meeting requests; and the schedule, solved here
and published. Run it after `load_directory_demo`. Running it again changes nothing."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from corridor.events.demo import TIME_LIMIT, events_demo_summary, load_events_demo
from corridor.events.schedule_codes import in_words

LABELS = {
    "organisations": gettext_lazy("Organisations"),
    "events": gettext_lazy("Matchmaking events"),
    "participants": gettext_lazy("Participants"),
    "interpreters": gettext_lazy("Interpreters"),
    "meeting requests": gettext_lazy("Meeting requests"),
    "scheduling runs": gettext_lazy("Scheduling runs"),
    "published agendas": gettext_lazy("Published agendas"),
}


class Command(BaseCommand):
    help = (
        "Load the matchmaking-event demo: a synthetic delegation visit of Singapore "
        "enterprises to Chongqing, with meeting requests and a solved schedule."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--time-limit",
            type=int,
            default=TIME_LIMIT,
            help="seconds the scheduler may take (default %(default)s)",
        )

    def handle(self, *args, time_limit=TIME_LIMIT, **options):
        try:
            report = load_events_demo(time_limit=time_limit)
        except LookupError as error:
            raise CommandError(
                _(
                    "The directory demo's enterprises are missing; run "
                    "`python manage.py load_directory_demo`, then this command again."
                )
            ) from error
        if not report:
            self.stdout.write(_("The events demo was already loaded; nothing changed."))
        for key, number in report.items():
            self.stdout.write(
                _("%(label)s created: %(number)d") % {"label": LABELS[key], "number": number}
            )
        self.summary()

    def summary(self) -> None:
        summary = events_demo_summary()
        if summary is None:
            return
        write = self.stdout.write
        write(_("The demo event now holds:"))
        write(
            "  "
            + _(
                "Participants: %(total)d (%(singapore)d from Singapore, %(chongqing)d from "
                "Chongqing)"
            )
            % {
                "total": summary.participants,
                "singapore": summary.singapore,
                "chongqing": summary.chongqing,
            }
        )
        write(
            "  "
            + _(
                "Meeting requests: %(total)d (%(accepted)d accepted, %(pending)d waiting for "
                "an answer, %(declined)d declined)"
            )
            % {
                "total": summary.requests,
                "accepted": summary.accepted,
                "pending": summary.pending,
                "declined": summary.declined,
            }
        )
        if summary.run is None:
            write("  " + _("No schedule yet: no scheduling run of this event has finished."))
            return
        write(
            "  "
            + _("Meetings placed: %(placed)d of %(accepted)d accepted")
            % {"placed": summary.placed, "accepted": summary.accepted}
        )
        for meeting, reason in summary.unplaced_reasons:
            write(
                "    "
                + _("Not placed: %(first)s and %(second)s, because %(reason)s.")
                % {
                    "first": meeting.requester,
                    "second": meeting.requested,
                    "reason": in_words(reason),
                }
            )
        write(
            "  "
            + _(
                "Meetings with an interpreter: %(number)d of the %(needed)d whose two sides "
                "share no working language"
            )
            % {"number": summary.with_interpreter, "needed": summary.need_interpreter}
        )
        write("  " + _("Breaks: %(number)d") % {"number": summary.run.breaks or 0})
        if summary.run.optimal:
            write("  " + _("Proven optimal: no schedule of these meetings has fewer breaks."))
        else:
            write(
                "  "
                + _("Not proven optimal: the scheduler stopped at its time limit of %(seconds)d s.")
                % {"seconds": summary.run.time_limit}
            )
