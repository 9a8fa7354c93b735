from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from hotline.core.audit_labels import AUDIT_KINDS, kind_label, object_type_label
from hotline.core.models import AccessRecord, AuditEvent


class KindFilter(admin.SimpleListFilter):
    """The audit kinds by their Chinese names (issue 15 item 17)."""

    title = _("kind")
    parameter_name = "kind"

    def lookups(self, request, model_admin):
        return sorted(((k, v) for k, v in AUDIT_KINDS.items()), key=lambda kv: str(kv[1]))

    def queryset(self, request, queryset):
        return queryset.filter(kind=self.value()) if self.value() else queryset


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["at", "what", "actor", "about", "object_id"]
    list_filter = [KindFilter]
    search_fields = ["object_id", "kind"]
    readonly_fields = ["what", "at", "actor", "about", "object_id", "data"]
    exclude = ["kind", "object_type"]

    @admin.display(description=_("kind"), ordering="kind")
    def what(self, obj: AuditEvent) -> str:
        return kind_label(obj.kind)

    @admin.display(description=_("object type"), ordering="object_type")
    def about(self, obj: AuditEvent) -> str:
        return object_type_label(obj.object_type)

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
