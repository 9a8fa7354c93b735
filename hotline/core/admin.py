from django.contrib import admin

from hotline.core.models import AccessRecord, AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["at", "kind", "actor", "object_type", "object_id"]
    list_filter = ["kind"]
    search_fields = ["object_id", "kind"]
    readonly_fields = ["kind", "at", "actor", "object_type", "object_id", "data"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AccessRecord)
class AccessRecordAdmin(admin.ModelAdmin):
    """Read-only: the database refuses changes anyway (core.access_log)."""

    list_display = ["at", "username", "role", "what", "ticket_number", "page", "ip"]
    list_filter = ["what", "role"]
    search_fields = ["username", "ticket_number"]
    readonly_fields = [f.name for f in AccessRecord._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
