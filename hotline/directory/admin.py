from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from hotline.accounts.permissions import Capability, can
from hotline.directory.models import CatalogItem, Topic, Unit
from hotline.directory.services import catalog_item_save


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


class TopicChildInline(admin.TabularInline):
    model = Topic
    fk_name = "parent"
    fields = ["code", "name", "level", "active", "sort_order"]
    extra = 0
    show_change_link = True


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    """The topic tree (R-IN-3). Bulk changes go through the import, which checks the tree."""

    list_display = ["code", "name", "level", "parent", "active", "sort_order"]
    list_filter = ["level", "active"]
    search_fields = ["code", "name", "description"]
    autocomplete_fields = ["parent"]
    ordering = ["code"]
    inlines = [TopicChildInline]
    fields = ["code", "name", "level", "parent", "description", "active", "sort_order"]

    def get_queryset(self, request):
        # A topic shows as its path (城乡建设 > 住房 > 物业管理), here and in autocompletes.
        return super().get_queryset(request).select_related("parent__parent")


@admin.register(CatalogItem)
class CatalogItemAdmin(admin.ModelAdmin):
    """Dispatch catalog versions (R-HM-9). The handling unit can never be a residents' or
    villagers' committee (ZS 6): the unit list leaves them out and `clean` refuses them."""

    list_display = [
        "code",
        "matter",
        "topic",
        "unit",
        "internal_office",
        "deadline_days",
        "effective_from",
        "effective_to",
        "active",
    ]
    list_filter = [
        "active",
        "unit__kind",
        ("unit", admin.RelatedOnlyFieldListFilter),
        "effective_from",
    ]
    search_fields = ["code", "matter", "keywords", "legal_basis", "unit__name", "topic__name"]
    autocomplete_fields = ["unit", "topic"]
    list_select_related = ["unit", "topic__parent__parent"]
    date_hierarchy = "effective_from"
    ordering = ["code", "-effective_from"]
    fieldsets = (
        (None, {"fields": ("code", "matter", "keywords", "topic", "legal_basis")}),
        (_("Handling unit"), {"fields": ("unit", "internal_office", "deadline_days")}),
        (_("Validity"), {"fields": ("effective_from", "effective_to", "active")}),
    )

    def has_add_permission(self, request):
        return super().has_add_permission(request) and can(request.user, Capability.MANAGE)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and can(request.user, Capability.MANAGE)

    def save_model(self, request, obj, form, change):
        # Through the service: versions stay in order and the change is audited.
        catalog_item_save(actor=request.user, item=obj)
