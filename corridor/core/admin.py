from django.contrib import admin

from corridor.core.models import AuditEntry, FxRate, Sector


class ReadOnly:
    """Admin of records the site's administrators look at (and may delete, unless `deletable`
    is False) but neither add nor change: changes go through the pages and the services, which
    validate, check permissions and audit."""

    deletable = True

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return self.deletable and super().has_delete_permission(request, obj)


class ReadOnlyAdmin(ReadOnly, admin.ModelAdmin):
    pass


class ReadOnlyInline(ReadOnly, admin.TabularInline):
    """Related records shown beside a record, never added, changed or removed there."""

    extra = 0
    deletable = False


@admin.register(Sector)
class SectorAdmin(admin.ModelAdmin):
    list_display = ("code", "name_en", "name_zh", "is_priority", "position")


@admin.register(FxRate)
class FxRateAdmin(admin.ModelAdmin):
    list_display = ("currency", "date", "usd_per_unit", "source")
    list_filter = ("currency",)


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ("at", "actor", "action", "target_type", "target_id", "summary")
    list_filter = ("action", "target_type")
    readonly_fields = [f.name for f in AuditEntry._meta.fields]
