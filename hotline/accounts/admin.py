from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm
from django.utils.translation import gettext_lazy as _

from hotline.accounts.models import LoginFailure, User
from hotline.core.models import audit


class PasswordResetByAdminForm(AdminPasswordChangeForm):
    """An administrator's reset: the user must choose their own password at next login."""

    def save(self, commit=True):
        user = super().save(commit=commit)
        user.must_change_password = True
        if commit:
            user.save(update_fields=["must_change_password"])
        return user


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    change_password_form = PasswordResetByAdminForm

    def user_change_password(self, request, id, form_url=""):
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:
            audit(kind="password_reset", actor=request.user, object_type="user", object_id=id)
        return response

    list_display = ["username", "full_name", "role", "unit", "operator_no", "is_active"]
    list_filter = ["role", "is_active", "unit__kind"]
    search_fields = ["username", "full_name", "operator_no", "phone"]
    autocomplete_fields = ["unit"]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Hotline"), {"fields": ("full_name", "role", "unit", "operator_no", "phone", "email")}),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "must_change_password")},
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "username",
                    "full_name",
                    "role",
                    "unit",
                    "operator_no",
                    "password1",
                    "password2",
                ),
            },
        ),
    )


@admin.register(LoginFailure)
class LoginFailureAdmin(admin.ModelAdmin):
    list_display = ["username", "ip", "at"]
    search_fields = ["username"]
    actions = ["unlock"]

    @admin.action(description=_("Unlock: delete the selected failures"))
    def unlock(self, request, queryset):
        queryset.delete()
