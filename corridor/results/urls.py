"""The results framework's pages: the indicator list, an indicator with its chart, and the
forms that add indicators, targets and actuals. Each URL is named after its view."""

from django.urls import path

from corridor.core.exports import export_paths
from corridor.results import views

app_name = "results"

urlpatterns = [
    path("", views.indicator_list, name="indicator_list"),
    *export_paths("export", views.indicator_export, "indicator_export"),
    path("new/", views.indicator_create, name="indicator_create"),
    path("<int:pk>/", views.indicator_detail, name="indicator_detail"),
    path("<int:pk>/edit/", views.indicator_edit, name="indicator_edit"),
    path("<int:pk>/targets/new/", views.target_add, name="target_add"),
    path("<int:pk>/actuals/new/", views.actual_record, name="actual_record"),
    path("<int:pk>/actuals/measure/", views.actual_measure, name="actual_measure"),
    path("actuals/<int:pk>/document", views.actual_document, name="actual_document"),
]
