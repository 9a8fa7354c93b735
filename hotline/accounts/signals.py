"""Logins and logouts in the audit log (issue 14 item 10; 等保 8.1.4.3 a–c)."""

from __future__ import annotations

from django.contrib.auth.signals import user_logged_in, user_logged_out

from hotline.core.models import audit


def _ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") if request is not None else None


def _logged_in(sender, request, user, **kwargs) -> None:
    audit(kind="login", actor=user, object_type="user", object_id=user.pk, ip=_ip(request))


def _logged_out(sender, request, user, **kwargs) -> None:
    if user is not None and getattr(user, "pk", None):
        audit(kind="logout", actor=user, object_type="user", object_id=user.pk, ip=_ip(request))


def connect() -> None:
    user_logged_in.connect(_logged_in, dispatch_uid="hotline.accounts.login_audit")
    user_logged_out.connect(_logged_out, dispatch_uid="hotline.accounts.logout_audit")
