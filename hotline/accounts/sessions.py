"""Database sessions that renew the idle limit without rewriting every request.

With SESSION_SAVE_EVERY_REQUEST Django's database store writes the session row (an
UPDATE in its own savepoint) on every request, only to move the expiry forward. Under
load that is a write per API call for nothing (issue 14 item 11). This store keeps the
rule (the idle age is renewed by activity, settings.SESSION_COOKIE_AGE) but skips the
write while the stored expiry is less than SESSION_RENEW_SECONDS old and nothing in the
session changed: a session expires at most that many seconds earlier than a store that
writes every time. A changed session (login, logout, a new key) is always written.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore as DbSessionStore
from django.utils import timezone

RENEW_SECONDS = 60


class SessionStore(DbSessionStore):
    def __init__(self, session_key=None):
        super().__init__(session_key)
        self._stored_expiry = None

    def _get_session_from_db(self):
        found = super()._get_session_from_db()  # type: ignore[misc]
        self._stored_expiry = found.expire_date if found is not None else None
        return found

    def _fresh(self) -> bool:
        """The stored expiry is within RENEW_SECONDS of what a write now would store."""
        if self._stored_expiry is None:
            return False
        renew = getattr(settings, "SESSION_RENEW_SECONDS", RENEW_SECONDS)
        target = timezone.now() + timedelta(seconds=self.get_expiry_age())
        return target - self._stored_expiry < timedelta(seconds=renew)

    def save(self, must_create=False):
        if not must_create and not self.modified and self.session_key and self._fresh():
            return  # only the expiry would move, by less than RENEW_SECONDS
        super().save(must_create=must_create)
        self._stored_expiry = self.get_expiry_date()
