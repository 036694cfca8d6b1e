from django.urls import path

from corridor.standards.hs import views

app_name = "hs"

urlpatterns = [
    path("", views.hs_index, name="index"),
    path("search/", views.hs_search, name="search"),
    path("<str:code>/", views.hs_code, name="code"),
]
