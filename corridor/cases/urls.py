"""The case pages (the documents' pages are in documents/urls.py)."""

from django.urls import path

from corridor.cases import views
from corridor.core.exports import export_paths

app_name = "cases"

urlpatterns = [
    path("", views.case_list, name="case_list"),
    *export_paths("export", views.case_export, "case_export"),
    path("open/", views.case_open, name="case_open"),
    path("my-work/", views.my_work, name="my_work"),
    path("<int:pk>/", views.case_detail, name="case_detail"),
    path("<int:pk>/transition/", views.case_transition, name="case_transition"),
    path("<int:pk>/parties/", views.party_add, name="party_add"),
    path("<int:pk>/parties/<int:party_pk>/remove/", views.party_remove, name="party_remove"),
    path("<int:pk>/milestones/", views.milestone_save, name="milestone_add"),
    path("<int:pk>/milestones/<int:milestone_pk>/", views.milestone_save, name="milestone_edit"),
    path("<int:pk>/issues/", views.issue_raise, name="issue_raise"),
    path("issues/<int:issue_pk>/", views.issue_update, name="issue_update"),
    path("issues/<int:issue_pk>/comments/", views.issue_comment, name="issue_comment"),
    path("issues/<int:issue_pk>/resolve/", views.issue_resolve, name="issue_resolve"),
    path("issues/<int:issue_pk>/reopen/", views.issue_reopen, name="issue_reopen"),
]
