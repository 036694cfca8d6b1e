from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

from corridor.api import api

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("accounts/", include("corridor.accounts.urls")),
    path("standards/hs/", include("corridor.standards.hs_urls")),
    path("standards/", include("corridor.standards.urls")),
    path("cases/documents/", include("corridor.cases.document_urls")),
    path("cases/", include("corridor.cases.urls")),
    path("directory/", include("corridor.directory.urls")),
    path("events/", include("corridor.events.urls")),
    path("", include("corridor.portfolio.urls")),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
