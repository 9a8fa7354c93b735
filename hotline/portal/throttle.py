"""Rate limits shared by every server process (a row per key and window in the database;
Django's default cache is per process, so gunicorn's workers would each count apart).

A hit is one statement (an INSERT … ON CONFLICT DO UPDATE … RETURNING, on SQLite and
PostgreSQL alike): on SQLite every write statement takes the database's one write lock,
so a hit that took an UPDATE, a SELECT and sometimes an INSERT in a transaction of its
own queued three times behind the portal's other writers (issue 13)."""

from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta

from django.conf import settings
from django.db import connections, router
from django.utils.translation import gettext_lazy as _

from hotline.core import clock
from hotline.core.errors import DomainError
from hotline.portal.models import Throttle

TOO_MANY = _("Too many tries, please try again later")


class TooMany(DomainError):
    status = 429
    code = "rate_limited"


def keyed(*parts: str) -> str:
    """A keyed hash of a phone, an address…: countable, not readable."""
    data = "\x1f".join(parts).encode("utf-8", "surrogatepass")
    return hmac.new(settings.SECRET_KEY.encode(), data, hashlib.sha256).hexdigest()


def hit(scope: str, ident: str, *, limit: int, seconds: int) -> None:
    """Count one hit of `ident` in `scope`; TooMany when over `limit` in the window."""
    key = keyed(scope, ident)
    stamp = int(clock.now().timestamp())
    window = stamp - stamp % seconds  # the window's start, in seconds
    connection = connections[router.db_for_write(Throttle)]
    q = connection.ops.quote_name
    table, k, w, h = (q(n) for n in (Throttle._meta.db_table, "key", "window", "hits"))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({k}, {w}, {h}) VALUES (%s, %s, 1) "
            f"ON CONFLICT ({k}, {w}) DO UPDATE SET {h} = {table}.{h} + 1 RETURNING {h}",
            [key, window],
        )
        hits = cursor.fetchall()[0][0]  # read to the end: SQLite ends the statement there
    if hits > limit:
        raise TooMany(str(TOO_MANY))


def blocked(scope: str, ident: str, *, limit: int, seconds: int) -> bool:
    """Whether `ident` is already over `limit` in `scope` (a read; counts nothing)."""
    stamp = int(clock.now().timestamp())
    hits = (
        Throttle.objects.filter(key=keyed(scope, ident), window=stamp - stamp % seconds)
        .values_list("hits", flat=True)
        .first()
    )
    return (hits or 0) > limit


def sweep() -> dict[str, int]:
    """The tick's job: drop counters and SMS codes older than a day, and expired picture
    codes (the form's check no longer sweeps them on every request)."""
    from hotline.portal.captchas import sweep_expired
    from hotline.portal.models import PhoneCode

    cutoff = int(clock.now().timestamp()) - 24 * 3600
    counters = Throttle.objects.filter(window__lt=cutoff).delete()[0]
    codes = PhoneCode.objects.filter(expires_at__lt=clock.now() - timedelta(days=1)).delete()[0]
    return {"counters": counters, "codes": codes, "captchas": sweep_expired()}


def client_address(request) -> str:
    """The client's address as the server sees it (a proxy in front sets REMOTE_ADDR
    through its own configuration; X-Forwarded-For is not trusted here)."""
    return str(request.META.get("REMOTE_ADDR", ""))
