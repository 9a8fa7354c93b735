from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext as _

from hotline.accounts import services


def client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") if request is not None else None


class LoginForm(AuthenticationForm):
    """Django's login form plus a lock after repeated failures."""

    def clean(self):
        username = (self.cleaned_data.get("username") or "").strip()
        if username and services.login_locked(username=username):
            raise forms.ValidationError(
                _(
                    "Too many failed logins for this account. "
                    "Try again in %(minutes)s minutes or ask an administrator."
                )
                % {"minutes": settings.HOTLINE_LOGIN_LOCK_MINUTES},
                code="locked",
            )
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            if username:
                services.login_failure_record(username=username, ip=client_ip(self.request))
            raise
        services.login_failures_clear(username=username)
        return cleaned
