"""Read-only views of the directory for the site's administrators. Changes go through the
directory pages and services (which validate, check permissions, audit and re-embed)."""

from django.contrib import admin

from corridor.core.admin import ReadOnlyAdmin
from corridor.directory.models import Connection, Feedback, Profile


@admin.register(Profile)
class ProfileAdmin(ReadOnlyAdmin):
    list_display = ("organisation", "visibility", "verified_at", "embedded_at", "is_synthetic")
    list_filter = ("visibility", "is_synthetic", "organisation__country")
    search_fields = ("organisation__name_en", "organisation__name_zh")
    exclude = ("offer_vector", "need_vector")


@admin.register(Connection)
class ConnectionAdmin(ReadOnlyAdmin):
    list_display = ("from_profile", "to_profile", "status", "created_at", "answered_at")
    list_filter = ("status",)


@admin.register(Feedback)
class FeedbackAdmin(ReadOnlyAdmin):
    list_display = ("user", "profile", "candidate", "verdict", "at")
    list_filter = ("verdict",)
