from django.contrib import admin
from django.urls import include, path

from corridor.accounts import views as accounts_views
from corridor.api import api

urlpatterns = [
    # The language switcher (Django's set_language, which also stores a logged-in person's choice).
    path("i18n/setlang/", accounts_views.set_language, name="set_language"),
    path("home/", include("corridor.home.urls")),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("accounts/", include("corridor.accounts.urls")),
    path("standards/hs/", include("corridor.standards.hs.urls")),
    path("standards/", include("corridor.standards.urls")),
    path("cases/documents/", include("corridor.cases.documents.urls")),
    path("cases/", include("corridor.cases.urls")),
    path("directory/", include("corridor.directory.urls")),
    path("events/", include("corridor.events.urls")),
    path("results/", include("corridor.results.urls")),
    path("briefing/", include("corridor.briefing.urls")),
    path("", include("corridor.portfolio.urls")),
]

# No URL serves MEDIA_ROOT, not even with DEBUG: it holds case documents and import files,
# which only their views hand out, after checking who asks.
# 404 and 403 render the site's 404.html and 403.html (corridor/core/templates), also with
# DEBUG=true (corridor.core.middleware); 500.html and 403_csrf.html need no request.

# A refused page: the reason the service gave and a way back to the list of its part.
handler403 = "corridor.core.views.permission_denied"
