"""Read-only views of cases for the site's administrators. Changes go through the case
pages and services (which check permissions, keep versions and record the timeline)."""

from django.contrib import admin

from corridor.cases import models
from corridor.core import admin as core_admin
from corridor.core.admin import ReadOnlyInline


class ReadOnlyAdmin(core_admin.ReadOnlyAdmin):
    deletable = False  # a case's records go with the case, through its pages


class PartyInline(ReadOnlyInline):
    model = models.CaseParty
    fields = ("organisation", "role", "contact", "added_at")
    readonly_fields = fields


class TransitionInline(ReadOnlyInline):
    model = models.CaseTransition
    fields = ("from_status", "to_status", "reason", "by", "at")
    readonly_fields = fields


@admin.register(models.Case)
class CaseAdmin(ReadOnlyAdmin):
    list_display = ("reference", "title_en", "kind", "applicant", "target_market", "status")
    list_filter = ("kind", "status", "target_market", "is_synthetic")
    search_fields = ("reference", "title_en", "title_zh", "product_name", "hs_code")
    list_select_related = ("applicant",)
    inlines = [PartyInline, TransitionInline]


@admin.register(models.Milestone)
class MilestoneAdmin(ReadOnlyAdmin):
    list_display = ("title_en", "case", "planned_start", "planned_end", "actual_end", "version")
    list_select_related = ("case",)
    search_fields = ("title_en", "title_zh", "case__reference")


@admin.register(models.CaseIssue)
class CaseIssueAdmin(ReadOnlyAdmin):
    list_display = ("title", "case", "assigned_to", "due_on", "status")
    list_filter = ("status",)
    list_select_related = ("case", "assigned_to")
    search_fields = ("title", "case__reference")


@admin.register(models.IssueComment)
class IssueCommentAdmin(ReadOnlyAdmin):
    list_display = ("issue", "author", "at")
    list_select_related = ("issue", "author")


class VersionInline(ReadOnlyInline):
    model = models.DocumentVersion
    fields = ("number", "original_name", "content_type", "size", "sha256", "uploaded_by")
    readonly_fields = fields


@admin.register(models.CaseDocument)
class CaseDocumentAdmin(ReadOnlyAdmin):
    list_display = ("title", "case", "document_type", "shared_with")
    list_select_related = ("case",)
    search_fields = ("title", "case__reference")
    inlines = [VersionInline]


@admin.register(models.CaseEvent)
class CaseEventAdmin(ReadOnlyAdmin):
    list_display = ("at", "case", "kind", "actor")
    list_filter = ("kind",)
    list_select_related = ("case", "actor")
    search_fields = ("case__reference",)
