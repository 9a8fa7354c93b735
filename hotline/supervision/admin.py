from django.contrib import admin

from hotline.supervision.models import Document, DocumentCounter, Escalation, Meeting, Reminder


class ReadOnly(admin.ModelAdmin):
    """Written by the ladder's services only: the event log's evidence (design rule 3)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    list_display = ("assignment", "kind", "lead_days", "reply_due", "at", "by")
    list_filter = ("kind",)
    raw_id_fields = ("assignment", "by")
    date_hierarchy = "at"


@admin.register(Escalation)
class EscalationAdmin(ReadOnly):
    list_display = ("ticket", "unit", "level", "label", "measure", "reply_due", "at", "by_name")
    list_filter = ("measure", "level")
    search_fields = ("ticket__number", "unit__name")
    raw_id_fields = ("assignment", "ticket", "unit")
    date_hierarchy = "at"


@admin.register(Document)
class DocumentAdmin(ReadOnly):
    list_display = ("number", "kind", "unit", "ticket", "issuer", "issued_at", "rendered_at")
    list_filter = ("kind", "year")
    search_fields = ("number", "ticket__number", "unit__name")
    raw_id_fields = ("ticket", "assignment", "unit", "escalation")
    readonly_fields = ("number", "year", "sequence", "facts", "file", "rendered_at")
    date_hierarchy = "issued_at"


@admin.register(DocumentCounter)
class DocumentCounterAdmin(ReadOnly):
    list_display = ("prefix", "year", "last")


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ("held_at", "kind", "subject", "place", "follow_up_due", "recorded_by")
    list_filter = ("kind",)
    search_fields = ("subject", "place", "decisions")
    filter_horizontal = ("units",)
    raw_id_fields = ("tickets", "recorded_by")
    date_hierarchy = "held_at"
