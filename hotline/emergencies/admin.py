from django.contrib import admin

from hotline.emergencies.models import EmergencyKeyword, EmergencyReport


@admin.register(EmergencyKeyword)
class EmergencyKeywordAdmin(admin.ModelAdmin):
    list_display = ("word", "service", "active")
    list_filter = ("service", "active")
    list_editable = ("service", "active")
    search_fields = ("word",)


@admin.register(EmergencyReport)
class EmergencyReportAdmin(admin.ModelAdmin):
    list_display = ("reported_at", "kind", "summary", "service", "acknowledged_at")
    list_filter = ("kind", "service")
    readonly_fields = [f.name for f in EmergencyReport._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False  # reports are made from the workbench, through the service
