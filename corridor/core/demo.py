"""What every demo loader shares: the demo login's password, the labels of synthetic data,
and how its command reports what it did (`write_counts`, `write_holds`).

Demo data that is not a real fact says so: records carry "[Synthetic] " / "【模拟】" before
their names, demo people "(synthetic)" / "（模拟）" after theirs.
"""

from django.utils.translation import gettext as _

DEMO_PASSWORD = "corridor-demo"
SYNTHETIC_EN = "[Synthetic] "
SYNTHETIC_ZH = "【模拟】"
SYNTHETIC_PERSON_EN = " (synthetic)"
SYNTHETIC_PERSON_ZH = "（模拟）"


def write_counts(stdout, labels, created: dict, updated: dict | None = None) -> None:
    """What a demo command created (and updated), one line a kind of record in the reader's
    language; `labels` names each key."""
    for key, number in created.items():
        stdout.write(_("%(label)s created: %(number)d") % {"label": labels[key], "number": number})
    for key, number in (updated or {}).items():
        stdout.write(_("%(label)s updated: %(number)d") % {"label": labels[key], "number": number})


def write_holds(stdout, labels, holds: dict) -> None:
    """What the database holds after a demo command, one line a kind of record."""
    stdout.write(_("The database now holds:"))
    for key, number in holds.items():
        stdout.write("  " + _("%(label)s: %(number)d") % {"label": labels[key], "number": number})
