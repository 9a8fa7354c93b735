from django.contrib import admin

from hotline.sla.models import CalendarDay, DeadlinePolicy, OfficialYear, PolicyVersion


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    """Read-only here: edits go through the calendar page so they are validated and audited."""

    list_display = ["day", "workday", "reason", "source", "created_by"]
    list_filter = ["source", "workday"]
    date_hierarchy = "day"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(OfficialYear)
class OfficialYearAdmin(admin.ModelAdmin):
    list_display = ["year", "notice", "entered_at", "entered_by"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class VersionInline(admin.TabularInline):
    model = PolicyVersion
    fields = readonly_fields = ("number", "note", "created_at", "created_by")
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(DeadlinePolicy)
class PolicyAdmin(admin.ModelAdmin):
    """Versions are immutable: tickets point at them. Edit on the policy page (new version)."""

    list_display = ["code", "name", "is_default"]
    readonly_fields = ["code", "is_default", "created_at"]
    inlines = [VersionInline]

    def has_add_permission(self, request):
        return False
