"""What every app's rules share: a refusal that carries its reason.

Each app's `permissions.py` asks its `can_*` questions; services refuse with
`require(condition, reason)`, and the site's 403 page shows the reason (`core.views`).
"""

from django.core.exceptions import PermissionDenied


def require(condition: bool, message) -> None:
    """Refuse, with the reason in the reader's language, unless `condition` holds."""
    if not condition:
        raise PermissionDenied(str(message))
