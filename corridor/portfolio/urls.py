from django.urls import path

from corridor.core.exports import export_paths
from corridor.portfolio import import_views, views

app_name = "portfolio"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("projects/", views.project_list, name="project_list"),
    *export_paths("projects/export", views.project_export, "project_export"),
    path("projects/export.xml", views.project_export_iati, name="project_export_iati"),
    path("projects/new/", views.project_create, name="project_create"),
    path("projects/changes/", views.revision_list, name="revision_list"),
    path("projects/<int:pk>/", views.project_detail, name="project_detail"),
    path("projects/<int:pk>/edit/", views.project_edit, name="project_edit"),
    path("projects/<int:pk>/status/", views.project_transition, name="project_transition"),
    path("projects/<int:pk>/publish/", views.project_publish, name="project_publish"),
    path("projects/<int:pk>/parties/", views.project_parties, name="project_parties"),
    path(
        "projects/<int:pk>/revisions/<int:revision_pk>/publish/",
        views.project_revision_publish,
        name="project_revision_publish",
    ),
    path(
        "projects/<int:pk>/revisions/<int:revision_pk>/reject/",
        views.project_revision_reject,
        name="project_revision_reject",
    ),
    path("innovations/", views.innovation_list, name="innovation_list"),
    *export_paths("innovations/export", views.innovation_export, "innovation_export"),
    path("innovations/new/", views.innovation_create, name="innovation_create"),
    path("innovations/<int:pk>/", views.innovation_detail, name="innovation_detail"),
    path("innovations/<int:pk>/edit/", views.innovation_edit, name="innovation_edit"),
    path("figures/", views.figure_list, name="figure_list"),
    path("figures/new/", views.figure_create, name="figure_create"),
    path("figures/<int:pk>/edit/", views.figure_edit, name="figure_edit"),
    path("import/", import_views.import_start, name="import"),
    path("import/template.<str:fmt>", import_views.import_template, name="import_template"),
    path("import/<uuid:job_id>/", import_views.import_status, name="import_status"),
]
