from django.contrib import admin

from corridor.portfolio.models import (
    Innovation,
    InnovationReplication,
    Project,
    ProjectLink,
    ProjectMilestone,
    ProjectParty,
    ProjectStatusChange,
    PublishedFigure,
)


class PartyInline(admin.TabularInline):
    model = ProjectParty
    extra = 0
    autocomplete_fields = ["organisation"]


class MilestoneInline(admin.TabularInline):
    model = ProjectMilestone
    extra = 0


class LinkInline(admin.TabularInline):
    model = ProjectLink
    extra = 0


class StatusChangeInline(admin.TabularInline):
    model = ProjectStatusChange
    extra = 0
    readonly_fields = ("from_status", "to_status", "on", "reason", "by")


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    """Read-mostly: writes that matter go through the portfolio pages and services."""

    list_display = (
        "external_id",
        "title_en",
        "kind",
        "status",
        "sector",
        "value_usd",
        "signed_on",
        "is_published",
        "is_synthetic",
    )
    list_filter = ("kind", "status", "sector", "lead_side", "is_published", "is_synthetic")
    search_fields = ("external_id", "title_en", "title_zh")
    raw_id_fields = ("parent", "owner", "fx_rate")
    inlines = [PartyInline, MilestoneInline, LinkInline, StatusChangeInline]


class ReplicationInline(admin.TabularInline):
    model = InnovationReplication
    extra = 0


@admin.register(Innovation)
class InnovationAdmin(admin.ModelAdmin):
    list_display = ("external_id", "title_en", "category", "adopted_on", "is_published")
    list_filter = ("category", "is_published", "is_synthetic")
    search_fields = ("title_en", "title_zh")
    filter_horizontal = ("agencies",)
    inlines = [ReplicationInline]


@admin.register(PublishedFigure)
class PublishedFigureAdmin(admin.ModelAdmin):
    list_display = ("metric", "qualifier", "value", "as_of", "publisher")
