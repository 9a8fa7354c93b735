"""Reports and dashboards read from a read replica when one is configured (issue 14 item
15, DATABASE_REPLICA_URL): the database router sends reads made inside `reading_replica()`
to the alias "replica"; everything else, and every write, goes to "default".

The report pages (URL namespace `reports`, the public results, the reports API) are read
there by `ReplicaReadsMiddleware` (GET and HEAD only); the leaders' dashboard on the home
page by its own `with reading_replica()`. Without a replica nothing changes.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.conf import settings

REPLICA = "replica"
_reading: ContextVar[bool] = ContextVar("hotline_reading_replica", default=False)

# The views whose reads may lag the primary by the replication delay: (namespace or url
# name) of pages, and API path prefixes.
REPLICA_NAMESPACES = frozenset({"reports"})
REPLICA_URL_NAMES = frozenset({"public-results"})
REPLICA_API_PREFIXES = ("/api/assessment", "/api/stats/")


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


@contextmanager
def reading_replica() -> Iterator[None]:
    """Reads inside go to the replica (if there is one); writes still to the primary."""
    token = _reading.set(True)
    try:
        yield
    finally:
        _reading.reset(token)


class ReplicaRouter:
    """DATABASE_ROUTERS entry: reads in `reading_replica()` from the replica."""

    def db_for_read(self, model: Any, **hints: Any) -> str | None:
        if _reading.get() and replica_configured():
            return REPLICA
        return None

    def db_for_write(self, model: Any, **hints: Any) -> str | None:
        return None

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        return True  # one database, copied: objects of both aliases may relate

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool | None:
        return db != REPLICA  # the replica is a copy: migrations run on the primary only


def _reads_replica(request: Any) -> bool:
    if request.method not in ("GET", "HEAD"):
        return False
    if request.path.startswith(REPLICA_API_PREFIXES):
        return True
    match = request.resolver_match
    return match is not None and (
        bool(REPLICA_NAMESPACES & set(match.namespaces)) or match.url_name in REPLICA_URL_NAMES
    )


class ReplicaReadsMiddleware:
    """Runs the report views inside `reading_replica()` (after authentication: the
    session and the user are read from the primary)."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        try:
            return self.get_response(request)
        finally:
            token = getattr(request, "_replica_token", None)
            if token is not None:
                _reading.reset(token)

    def process_view(self, request: Any, view: Any, args: Any, kwargs: Any) -> None:
        if replica_configured() and _reads_replica(request):
            request._replica_token = _reading.set(True)
