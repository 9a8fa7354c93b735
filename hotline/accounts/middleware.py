"""What a logged-in session must satisfy on every request (issue 14 item 10):

1. a second factor: a user with a TOTP device confirms a code after the password, and a
   role in HOTLINE_2FA_REQUIRED_ROLES without one is sent to enrol (等保 8.1.4.1 d);
2. the absolute session limit: HOTLINE_SESSION_ABSOLUTE_HOURS after login the session
   ends however active it was (the idle limit is SESSION_COOKIE_AGE) (8.1.4.1 b);
3. password expiry: a password older than HOTLINE_PASSWORD_MAX_AGE_DAYS, or reset by an
   administrator, must be changed before anything else (8.1.4.1 a).

Pages redirect; the API answers in its error shape.
"""

from __future__ import annotations

import time
from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from hotline.core import clock

LOGIN_AT = "hotline_login_at"
# Reachable before the checks pass: the pages that satisfy them, and logging out.
EXEMPT_NAMES = ("logout", "otp-verify", "otp-enrol", "password-change", "set_language", "health")


def needs_second_factor(user) -> bool:
    return user.role in settings.HOTLINE_2FA_REQUIRED_ROLES


def has_device(user) -> bool:
    known = getattr(user, "has_confirmed_device", None)  # loaded with the user (backends)
    if known is not None:
        return bool(known)
    from django_otp import user_has_device

    return user_has_device(user, confirmed=True)


def password_expired(user) -> bool:
    if user.must_change_password:
        return True
    days = settings.HOTLINE_PASSWORD_MAX_AGE_DAYS
    if days <= 0:
        return False
    changed = user.password_changed_at or user.date_joined
    return changed is not None and clock.now() - changed > timedelta(days=days)


class AccountPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return self.get_response(request)
        if self._exempt(request):
            return self.get_response(request)
        login_at = request.session.get(LOGIN_AT)
        if login_at is None:
            request.session[LOGIN_AT] = time.time()
        elif time.time() - login_at > settings.HOTLINE_SESSION_ABSOLUTE_HOURS * 3600:
            logout(request)
            return self._refuse(
                request, "session_expired", _("Your session has ended: log in again."), "login"
            )
        if not user.is_verified():
            if has_device(user):
                return self._refuse(
                    request,
                    "second_factor",
                    _("Enter the code from your authenticator app."),
                    "otp-verify",
                )
            if needs_second_factor(user):
                return self._refuse(
                    request,
                    "second_factor",
                    _("Your role needs two-factor login: set it up now."),
                    "otp-enrol",
                )
        if password_expired(user):
            return self._refuse(
                request,
                "password_expired",
                _("Your password has expired: choose a new one."),
                "password-change",
            )
        return self.get_response(request)

    @staticmethod
    def _exempt(request) -> bool:
        path = request.path_info
        if path.startswith(settings.STATIC_URL) or path.startswith("/i18n/"):
            return True
        match = getattr(request, "resolver_match", None)
        if match is None:
            from django.urls import Resolver404, resolve

            try:
                match = resolve(path)
            except Resolver404:
                return False
        return match.url_name in EXEMPT_NAMES

    @staticmethod
    def _refuse(request, code: str, message: str, page: str):
        if request.path_info.startswith("/api/"):
            return JsonResponse({"error": {"code": code, "message": message}}, status=401)
        if page == "password-change":  # the other pages say it themselves
            messages.warning(request, message)
        target = reverse(page)
        if page == "login":
            return redirect(f"{target}?next={request.path_info}")
        return redirect(target)
