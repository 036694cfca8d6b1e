"""What a person may start, asked of each app's own rules (the same predicates its services
use), so that the header and the pages offer only what the services would allow."""

from dataclasses import dataclass

from corridor.cases import permissions as case_permissions
from corridor.events import permissions as event_permissions
from corridor.portfolio import services as portfolio_services
from corridor.standards import services as standards_services


@dataclass(frozen=True)
class Actions:
    record_projects: bool  # "Record a project" and "Import"
    open_cases: bool  # "Open a case"
    organise_events: bool  # "New event"
    assess: bool  # "New assessment"
    record_innovations: bool  # "Record an innovation"

    @property
    def any(self) -> bool:
        return self.record_projects or self.open_cases or self.organise_events or self.assess


def actions_of(user) -> Actions:
    if not getattr(user, "is_authenticated", False):
        return Actions(False, False, False, False, False)
    return Actions(
        record_projects=portfolio_services.can_record_projects(user),
        open_cases=case_permissions.can_open_cases(user),
        organise_events=event_permissions.can_organise_events(user),
        assess=standards_services.can_assess(user),
        record_innovations=portfolio_services.can_record_innovations(user),
    )
