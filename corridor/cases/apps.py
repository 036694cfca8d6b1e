from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "corridor.cases"
    label = "cases"
    verbose_name = _("Facilitation cases")

    def ready(self) -> None:
        # The standards app sits below this one: it learns of open cases through this hook.
        from corridor.cases.queries import open_cases_touched
        from corridor.standards.watching import register_case_finder

        register_case_finder(open_cases_touched)
