from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from hotline.core.masking import mask_contact
from hotline.notifications.models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "channel",
        "masked_address",
        "recipient",
        "subject",
        "state",
        "attempts",
    ]
    list_filter = ["channel", "state"]
    search_fields = ["subject"]  # not by address: that would be a search by phone
    # The address masked (issue 14 item 3): administrators have no personal-data access.
    fields = readonly_fields = tuple(
        "masked_address" if f.name == "address" else f.name for f in Notification._meta.fields
    )

    @admin.display(description=_("address"))
    def masked_address(self, obj):
        return mask_contact(obj.address)

    def has_add_permission(self, request):
        return False
