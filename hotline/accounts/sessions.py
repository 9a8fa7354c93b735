"""Database sessions that renew the idle limit without rewriting every request.

With SESSION_SAVE_EVERY_REQUEST Django's database store writes the session row (an
UPDATE in its own savepoint) on every request, only to move the expiry forward. Under
load that is a write per API call for nothing (issue 14 item 11). This store keeps the
rule (the idle age is renewed by activity, settings.SESSION_COOKIE_AGE) but skips the
write while the stored expiry is less than SESSION_RENEW_SECONDS old and nothing in the
session changed: a session expires at most that many seconds earlier than a store that
writes every time. A changed session (login, logout, a new key) is always written.

The session's row is read by its key with SQL compiled once (`hotline.core.fixed_reads`)
and its expiry compared here, as Django's store does in its query.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore as DbSessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from hotline.core.fixed_reads import FixedRead, Slot

RENEW_SECONDS = 60
_BY_KEY = FixedRead(Session, lambda key: Session.objects.filter(session_key=key), key=Slot.STR)


class SessionStore(DbSessionStore):
    def __init__(self, session_key=None):
        super().__init__(session_key)
        self._stored_expiry = None

    def _get_session_from_db(self):
        found = _BY_KEY.first(key=self.session_key) if self.session_key else None
        if found is not None and found.expire_date <= timezone.now():
            found = None
        if found is None:
            self._session_key = None  # as Django's store: an unknown or expired key
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
