from django.urls import path

from corridor.standards import views

app_name = "standards"

urlpatterns = [
    path("", views.assessment_list, name="assessment_list"),
    path("assessments/", views.assessment_list, name="assessment_list_all"),
    path("coverage/", views.coverage_page, name="coverage"),
    path("assessments/new/", views.assessment_create, name="assessment_create"),
    path("assessments/<int:pk>/", views.assessment_detail, name="assessment_detail"),
    path("assessments/<int:pk>/report.pdf", views.assessment_report_pdf, name="assessment_report"),
    path("assessments/<int:pk>/delete/", views.assessment_delete, name="assessment_delete"),
    path("watching/", views.watching, name="watching"),
    path("watching/<int:pk>/remove/", views.watch_remove, name="watch_remove"),
]
