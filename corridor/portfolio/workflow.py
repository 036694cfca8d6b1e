"""The project lifecycle as data: which status may follow which.

Print it with `python manage.py shell -c "from corridor.portfolio.workflow import describe; print(describe())"`.
"""

from corridor.portfolio.models import Project

S = Project.Status

TRANSITIONS: dict[str, tuple[str, ...]] = {
    S.SIGNED: (S.IN_PROGRESS, S.COMPLETED, S.SUSPENDED, S.TERMINATED),
    S.IN_PROGRESS: (S.COMPLETED, S.SUSPENDED, S.TERMINATED),
    S.SUSPENDED: (S.IN_PROGRESS, S.TERMINATED),
    S.COMPLETED: (),
    S.TERMINATED: (),
}


def allowed_next(status: str) -> tuple[str, ...]:
    return TRANSITIONS.get(status, ())


def describe() -> str:
    return "\n".join(f"{src} -> {', '.join(dst) or '(final)'}" for src, dst in TRANSITIONS.items())
