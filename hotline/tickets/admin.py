from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from hotline.core.masking import mask_citizen_contact, mask_name
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
    """Masked (issue 14 item 3): administrators manage the system, not callers; whoever
    needs a caller in full opens the ticket page, which logs the view."""

    list_display = ["pk", "masked_name", "masked_phone", "created_at"]
    fields = ("masked_name", "masked_phone", "prefers_confidential", "created_at")
    readonly_fields = fields
    search_fields = ()  # no search by name or phone

    @admin.display(description=_("name"))
    def masked_name(self, obj):
        return mask_name(obj.name)

    @admin.display(description=_("phone"))
    def masked_phone(self, obj):
        return mask_citizen_contact(obj)


@admin.register(AbuseRecord)
class AbuseRecordAdmin(ReadOnly):
    list_display = ["citizen", "kind", "at", "by"]
