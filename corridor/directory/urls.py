"""The directory pages: the list, a profile and its forms, recommendations, connections."""

from django.urls import path

from corridor.directory import views

app_name = "directory"

urlpatterns = [
    path("", views.profile_list, name="profile_list"),
    path("new/", views.profile_create, name="profile_create"),
    path("connections/", views.connection_list, name="connections"),
    path("connections/<int:pk>/", views.connection_detail, name="connection_detail"),
    path("connections/<int:pk>/answer/", views.connection_answer, name="connection_answer"),
    path("connections/<int:pk>/withdraw/", views.connection_withdraw, name="connection_withdraw"),
    path("<int:pk>/", views.profile_detail, name="profile_detail"),
    path("<int:pk>/edit/", views.profile_edit, name="profile_edit"),
    path("<int:pk>/verify/", views.profile_verify, name="profile_verify"),
    path("<int:pk>/connect/", views.connection_request, name="connection_request"),
    path("<int:pk>/recommendations/", views.profile_recommendations, name="recommendations"),
    path("<int:pk>/feedback/", views.recommendation_feedback, name="feedback"),
]
