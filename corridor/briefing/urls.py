from django.urls import path

from corridor.briefing import views

app_name = "briefing"

urlpatterns = [
    path("", views.pack_list, name="pack_list"),
    path("<uuid:pack_id>/download/", views.pack_download, name="pack_download"),
]
