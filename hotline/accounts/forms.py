from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hotline.accounts import services


def client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") if request is not None else None


class LoginForm(AuthenticationForm):
    """Django's login form plus a lock after repeated failures (accounts.services); the
    only login form: /admin/login/ redirects here (issue 14 item 2)."""

    def clean(self):
        username = (self.cleaned_data.get("username") or "").strip()
        ip = client_ip(self.request)
        if username and services.login_locked(username=username, ip=ip):
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
                services.login_failure_record(username=username, ip=ip)
            raise
        services.login_failures_clear(username=username, ip=ip)
        return cleaned


class TokenForm(forms.Form):
    """The six digits an authenticator app shows."""

    token = forms.RegexField(
        label=gettext_lazy("Verification code"),
        regex=r"^\d{6}$",
        error_messages={"invalid": gettext_lazy("Enter the 6 digits your app shows.")},
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )
