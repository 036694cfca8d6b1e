"""Panels a higher app lends a lower app's page, registered at start-up.

The portfolio's dashboard sits below the results framework in the layers, so it cannot import
it; the results app registers its summary here from its `AppConfig.ready`, and the dashboard
renders every panel registered for "dashboard", in the order they were registered; a project's
page those registered for "project", given the project. A panel is a callable taking the
request (and the page's record as keyword arguments) and returning HTML (safe: rendered from a
template), or "" to show nothing.
"""

from collections.abc import Callable

_PANELS: dict[str, list[Callable]] = {}


def register(page: str, panel: Callable) -> None:
    """Add `panel` to the page's panels (once, however often start-up runs)."""
    panels = _PANELS.setdefault(page, [])
    if panel not in panels:
        panels.append(panel)


def render(page: str, request, **records) -> list[str]:
    """The HTML of each panel registered for the page that has something to show."""
    return [html for html in (panel(request, **records) for panel in _PANELS.get(page, [])) if html]
