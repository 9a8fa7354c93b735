"""Writes about accounts: failed-login throttling."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings

from hotline.accounts.models import LoginFailure
from hotline.core import clock


def _window_start():
    return clock.now() - timedelta(minutes=settings.HOTLINE_LOGIN_LOCK_MINUTES)


def login_locked(*, username: str) -> bool:
    """True when the username had too many failures within the lock window."""
    recent = LoginFailure.objects.filter(username__iexact=username, at__gte=_window_start())
    return recent.count() >= settings.HOTLINE_LOGIN_MAX_FAILURES


def login_failure_record(*, username: str, ip: str | None) -> None:
    LoginFailure.objects.create(username=username[:150], ip=ip or None)
    # Old rows only matter within the window; drop them so the table stays small.
    LoginFailure.objects.filter(at__lt=_window_start() - timedelta(days=1)).delete()


def login_failures_clear(*, username: str) -> None:
    LoginFailure.objects.filter(username__iexact=username).delete()
