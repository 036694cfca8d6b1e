from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from corridor.accounts.models import ApiToken, Membership, Organisation, User


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["organisation"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    fieldsets = DjangoUserAdmin.fieldsets + ((_("Names"), {"fields": ("name_en", "name_zh")}),)
    list_display = ("username", "name_en", "name_zh", "email", "is_staff")
    inlines = [MembershipInline]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = (
        "name_en",
        "name_zh",
        "kind",
        "country",
        "city",
        "is_administration",
        "is_synthetic",
    )
    list_filter = ("kind", "country", "is_administration", "is_synthetic")
    search_fields = ("name_en", "name_zh")
    filter_horizontal = ("sectors",)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("user", "label", "created_at", "last_used_at")
    readonly_fields = ("key_hash",)
