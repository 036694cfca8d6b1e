from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResultsConfig(AppConfig):
    name = "corridor.results"
    label = "results"
    verbose_name = _("Results")

    def ready(self) -> None:
        from corridor.core import panels
        from corridor.portfolio.iati import extensions
        from corridor.results import iati, views

        # the portfolio's dashboard shows the indicators' summary without importing results
        panels.register("dashboard", views.dashboard_panel)
        panels.register("project", views.project_panel)
        # the portfolio's IATI import and export read and write results without importing us
        extensions.register("results", read=iati.read_results, writer=iati.results_writer)
