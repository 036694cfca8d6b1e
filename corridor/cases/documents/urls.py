"""Pages for case documents: upload, new version, sharing, download."""

from django.urls import path

from corridor.cases.documents import views as document_views

app_name = "case_documents"

urlpatterns = [
    path("case/<int:case_pk>/upload/", document_views.document_upload, name="upload"),
    path(
        "<int:document_pk>/versions/",
        document_views.document_version_upload,
        name="version_upload",
    ),
    path("<int:document_pk>/share/", document_views.document_share, name="share"),
    path(
        "versions/<int:version_pk>/download/",
        document_views.document_download,
        name="download",
    ),
]
