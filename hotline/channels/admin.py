from django.contrib import admin

from hotline.channels.models import Partner, PartnerCall, Transfer


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    """The administrator configures partner hotlines: their API address and shared key."""

    list_display = ("code", "name", "url", "active")
    search_fields = ("code", "name")


@admin.register(Transfer)
class TransferAdmin(admin.ModelAdmin):
    list_display = ("pk", "direction", "partner", "ticket", "state", "remote_number", "updated_at")
    list_filter = ("direction", "state", "partner")
    readonly_fields = [f.name for f in Transfer._meta.fields]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(PartnerCall)
class PartnerCallAdmin(admin.ModelAdmin):
    list_display = ("key", "partner", "state", "attempts", "next_attempt_at", "last_error")
    list_filter = ("state", "partner")
    readonly_fields = [f.name for f in PartnerCall._meta.fields]

    def has_add_permission(self, request, obj=None):
        return False
