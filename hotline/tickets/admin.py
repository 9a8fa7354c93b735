from django.contrib import admin

from hotline.tickets.models import AbuseRecord, Citizen, Ticket, TicketEvent


class ReadOnly(admin.ModelAdmin):
    """Tickets change only through services; the admin shows them."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class EventInline(admin.TabularInline):
    model = TicketEvent
    fields = readonly_fields = ("at", "kind", "actor", "unit", "data")
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Ticket)
class TicketAdmin(ReadOnly):
    list_display = ["number", "kind", "status", "summary", "received_at"]
    list_filter = ["status", "kind", "channel"]
    search_fields = ["number", "summary"]
    inlines = [EventInline]


@admin.register(Citizen)
class CitizenAdmin(ReadOnly):
    list_display = ["name", "phone", "created_at"]
    search_fields = ["phone", "name"]


@admin.register(AbuseRecord)
class AbuseRecordAdmin(ReadOnly):
    list_display = ["citizen", "kind", "at", "by"]
