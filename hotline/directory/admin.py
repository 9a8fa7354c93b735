from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from hotline.directory.models import Unit


class ChildInline(admin.TabularInline):
    model = Unit
    fk_name = "parent"
    fields = ["code", "name", "kind", "active"]
    extra = 0
    show_change_link = True


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "parent", "active", "liaison_name", "liaison_phone"]
    list_filter = ["kind", "active"]
    search_fields = ["code", "name", "liaison_name", "head_name"]
    autocomplete_fields = ["parent"]
    list_select_related = ["parent"]
    inlines = [ChildInline]
    fieldsets = (
        (None, {"fields": ("code", "name", "kind", "parent", "active", "sort_order")}),
        (_("Service"), {"fields": ("service_hours", "public_phone")}),
        (
            _("Contacts"),
            {
                "fields": (
                    "liaison_name",
                    "liaison_phone",
                    "deputy_head_name",
                    "deputy_head_phone",
                    "head_name",
                    "head_phone",
                )
            },
        ),
    )
