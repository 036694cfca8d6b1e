from django.urls import path

from corridor.standards import hs_views

app_name = "hs"

urlpatterns = [
    path("", hs_views.hs_index, name="index"),
    path("search/", hs_views.hs_search, name="search"),
    path("<str:code>/", hs_views.hs_code, name="code"),
]
