"""Writes that a unique constraint of the database decides: of two people doing the same at
the same moment (registering one organisation twice, booking one slot), exactly one write is
kept, and the other person is told why in a sentence rather than by a server error."""

from contextlib import contextmanager

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction


@contextmanager
def unique_or_raise(error: ValidationError):
    """Run the block's writes in a savepoint; if a unique constraint refuses one of them,
    nothing of the block is kept and `error` is raised instead."""
    try:
        with transaction.atomic():
            yield
    except IntegrityError as exc:
        raise error from exc
