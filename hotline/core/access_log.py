"""The personal-data access log (issue 14 item 4).

Whoever reveals a citizen's name or phone unmasked calls `record_access` (tickets'
`citizen_for`, the caller history, exports, the admin): one row per user, page and
citizen per request. The request's path and address come from AccessContextMiddleware.
Rows are append-only in the database (migration core 0003) and signed with an HMAC.
"""

from __future__ import annotations

import hashlib
import hmac
from contextvars import ContextVar
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import connection

from hotline.core import clock
from hotline.core.models import AccessRecord
from hotline.core.text import clean_text

_request: ContextVar[Any] = ContextVar("hotline_access_request", default=None)
_seen: ContextVar[set | None] = ContextVar("hotline_access_seen", default=None)

# What was shown.
IDENTITY = "identity"  # name and phone of one caller
HISTORY = "history"  # a caller's earlier tickets, looked up by phone
EXPORT = "export"  # many callers in an Excel file
SEARCH = "search"  # a search by phone


class AccessContextMiddleware:
    """Keeps the current request for `record_access` (path, client address)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _request.set(request)
        seen = _seen.set(set())
        try:
            return self.get_response(request)
        finally:
            _request.reset(token)
            _seen.reset(seen)


def _key() -> bytes:
    return hashlib.sha256(b"hotline-access-log:" + settings.SECRET_KEY.encode()).digest()


def digest(row: AccessRecord) -> str:
    fields = [
        row.at.isoformat(),
        str(row.user_id),
        row.username,
        row.role,
        row.what,
        row.ticket_number,
        str(row.citizen_id),
        row.page,
        str(row.ip),
        row.detail,
    ]
    return hmac.new(_key(), "\x1f".join(fields).encode(), hashlib.sha256).hexdigest()


def record_access(
    *, user, what: str, ticket_number: str = "", citizen_id: int | None = None, detail: str = ""
) -> AccessRecord | None:
    """Append one access row (once per request for the same user, what and citizen)."""
    request = _request.get()
    seen = _seen.get()
    key = (getattr(user, "pk", None), what, ticket_number, citizen_id, detail)
    if seen is not None:
        if key in seen:
            return None
        seen.add(key)
    page = clean_text(request.path)[:200] if request is not None else ""
    ip = request.META.get("REMOTE_ADDR") if request is not None else None
    row = AccessRecord(
        at=clock.now(),
        user_id=getattr(user, "pk", None),
        username=getattr(user, "username", "")[:150],
        role=getattr(user, "role", "") or "",
        what=what,
        ticket_number=ticket_number,
        citizen_id=citizen_id,
        page=page,
        ip=ip or None,
        detail=clean_text(detail)[:200],
    )
    row.digest = digest(row)
    row.save(force_insert=True)
    return row


def access_log_verify(rows=None) -> list[int]:
    """The ids of rows whose content no longer matches their HMAC (edited behind the
    application's back)."""
    rows = AccessRecord.objects.order_by("id") if rows is None else rows
    return [row.pk for row in rows.iterator() if not hmac.compare_digest(row.digest, digest(row))]


def access_log_purge() -> int:
    """Delete rows older than HOTLINE_ACCESS_LOG_KEEP_DAYS (never under 180: the database
    refuses younger ones anyway). Returns how many went."""
    keep = max(180, settings.HOTLINE_ACCESS_LOG_KEEP_DAYS)
    cutoff = clock.now() - timedelta(days=keep)
    deleted, _by_model = AccessRecord.objects.filter(at__lt=cutoff).delete()
    return deleted


def database_guards_installed() -> bool:
    """Whether the append-only triggers exist (for the health page and the tests)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'core_accessrecord_%%'"
            )
        else:
            cursor.execute(
                "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' "
                "AND name LIKE 'core_accessrecord_%'"
            )
        return cursor.fetchone()[0] >= 2


# The access log is append-only in the database itself: no UPDATE, and no DELETE of a row
# younger than 180 days, whatever the application (or the admin) does. Installed by
# migration core 0003 (unless HOTLINE_ACCESS_LOG_DB_GUARDS is off, as in the test
# settings, where Django empties tables between transactional tests).
GUARDS = {
    "sqlite": [
        """CREATE TRIGGER IF NOT EXISTS core_accessrecord_no_update
        BEFORE UPDATE ON core_accessrecord
        BEGIN SELECT RAISE(ABORT, 'the access log is append-only'); END""",
        """CREATE TRIGGER IF NOT EXISTS core_accessrecord_keep BEFORE DELETE ON core_accessrecord
        WHEN old.at > strftime('%Y-%m-%d %H:%M:%S', 'now', '-180 days')
        BEGIN SELECT RAISE(ABORT, 'access records are kept at least 180 days'); END""",
    ],
    "postgresql": [
        """CREATE OR REPLACE FUNCTION core_accessrecord_guard() RETURNS trigger AS $$
        BEGIN
          IF TG_OP = 'UPDATE' OR TG_OP = 'TRUNCATE' THEN
            RAISE EXCEPTION 'the access log is append-only';
          END IF;
          IF OLD.at > now() - interval '180 days' THEN
            RAISE EXCEPTION 'access records are kept at least 180 days';
          END IF;
          RETURN OLD;
        END $$ LANGUAGE plpgsql""",
        """CREATE OR REPLACE TRIGGER core_accessrecord_no_update
        BEFORE UPDATE ON core_accessrecord
        FOR EACH ROW EXECUTE FUNCTION core_accessrecord_guard()""",
        """CREATE OR REPLACE TRIGGER core_accessrecord_keep BEFORE DELETE ON core_accessrecord
        FOR EACH ROW EXECUTE FUNCTION core_accessrecord_guard()""",
        # TRUNCATE skips row triggers: refuse it as a statement.
        """CREATE OR REPLACE TRIGGER core_accessrecord_no_truncate
        BEFORE TRUNCATE ON core_accessrecord
        FOR EACH STATEMENT EXECUTE FUNCTION core_accessrecord_guard()""",
    ],
}
GUARDS_REMOVE = {
    "sqlite": [
        "DROP TRIGGER IF EXISTS core_accessrecord_no_update",
        "DROP TRIGGER IF EXISTS core_accessrecord_keep",
    ],
    "postgresql": [
        "DROP TRIGGER IF EXISTS core_accessrecord_no_truncate ON core_accessrecord",
        "DROP TRIGGER IF EXISTS core_accessrecord_keep ON core_accessrecord",
        "DROP TRIGGER IF EXISTS core_accessrecord_no_update ON core_accessrecord",
        "DROP FUNCTION IF EXISTS core_accessrecord_guard()",
    ],
}


def install_guards(conn=connection) -> None:
    with conn.cursor() as cursor:
        for sql in GUARDS.get(conn.vendor, []):
            cursor.execute(sql)


def remove_guards(conn=connection) -> None:
    with conn.cursor() as cursor:
        for sql in GUARDS_REMOVE.get(conn.vendor, []):
            cursor.execute(sql)
