"""Writes about accounts: failed-login throttling and the login audit.

One throttle for every way in (/login/ and /admin/login/, which redirects there): a
username is locked for a client address after HOTLINE_LOGIN_MAX_FAILURES failures from
that address, and an address is locked after HOTLINE_LOGIN_MAX_FAILURES_PER_ADDRESS
failures for any usernames. So a colleague typing someone's name five times locks only
their own machine out of that account, never the owner (issue 14 item 2; 等保 8.1.4.1 b).
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings

from hotline.accounts.models import LoginFailure
from hotline.core import clock
from hotline.core.models import audit


def _window_start():
    return clock.now() - timedelta(minutes=settings.HOTLINE_LOGIN_LOCK_MINUTES)


def login_locked(*, username: str, ip: str | None) -> bool:
    """True when this username from this address, or this address for any username, had
    too many failures within the lock window."""
    recent = LoginFailure.objects.filter(at__gte=_window_start())
    pair = recent.filter(username__iexact=username, ip=ip or None)
    if pair.count() >= settings.HOTLINE_LOGIN_MAX_FAILURES:
        return True
    per_address = settings.HOTLINE_LOGIN_MAX_FAILURES_PER_ADDRESS
    return bool(ip) and recent.filter(ip=ip).count() >= per_address


def login_failure_record(*, username: str, ip: str | None) -> None:
    LoginFailure.objects.create(username=username[:150], ip=ip or None)
    audit(kind="login_failed", actor=None, object_type="user", username=username[:150], ip=ip)
    # Old rows only matter within the window; drop them so the table stays small (the
    # audit log keeps the history).
    LoginFailure.objects.filter(at__lt=_window_start() - timedelta(days=1)).delete()


def login_failures_clear(*, username: str, ip: str | None) -> None:
    LoginFailure.objects.filter(username__iexact=username, ip=ip or None).delete()
