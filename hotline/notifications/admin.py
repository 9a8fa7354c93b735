from django.contrib import admin

from hotline.notifications.models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "channel", "address", "recipient", "subject", "state", "attempts"]
    list_filter = ["channel", "state"]
    search_fields = ["address", "subject"]
    readonly_fields = [f.name for f in Notification._meta.fields]

    def has_add_permission(self, request):
        return False
