"""What "now" is on the event day: which slots have begun, which meetings were held, when
someone was checked in. Every event-day read and write asks `now()` here, never the system
clock directly, so that a test (in-process, including the live server of a browser test) can
set the day to a moment of the event with `monkeypatch.setattr(clock, "now", ...)`. It is no
setting: nothing a user or a deployment can change moves it."""

from datetime import datetime

from django.utils import timezone


def now() -> datetime:
    return timezone.now()
