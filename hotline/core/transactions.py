"""One transaction for a whole write request (issue 14 item 11, decision 0034).

An API write calls a service, which commits its change in its own transaction, and then
answers with what it wrote. Showing the caller's identity in that answer writes an
access record (issue 14 item 4), which was a transaction of its own: two COMMITs per
request, each waiting for the disk. `request_transaction()` puts the whole request in
one. A service's block (`service_transaction()`) directly inside it joins it without a
savepoint, so the access record commits with the change it shows, or neither does: any
error rolls back the whole request (the view lets it propagate). Anywhere else a
service's block is `transaction.atomic()` as before.

A row read with a lock inside the request's transaction is marked (`mark_locked`): a
service asked to lock it again in the same transaction needs no second read
(`locked_here`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.db import connection, transaction

LOCKED = "_hotline_locked_in"


class _Request:
    """One request transaction; its identity marks the rows locked in it."""

    __slots__ = ("depth",)

    def __init__(self, depth: int) -> None:
        self.depth = depth  # atomic blocks open inside it: a service's block joins here


_current: ContextVar[_Request | None] = ContextVar("hotline_request_transaction", default=None)


@contextmanager
def request_transaction() -> Iterator[None]:
    """The rest of the request in one transaction with the services it calls."""
    with transaction.atomic():
        token = _current.set(_Request(len(connection.atomic_blocks)))
        try:
            yield
        finally:
            _current.reset(token)


def _open() -> _Request | None:
    """The request transaction the code runs directly in, if any."""
    current = _current.get()
    if current is None or not connection.in_atomic_block:
        return None
    return current if len(connection.atomic_blocks) == current.depth else None


def service_transaction() -> Any:
    """A service's transaction block: `transaction.atomic()`, except directly inside
    `request_transaction()`, where it joins the request's transaction (no savepoint:
    an error there rolls back the whole request)."""
    return transaction.atomic(savepoint=_open() is None)


def mark_locked(instance: Any) -> None:
    """`instance` was just read with a row lock in the request's transaction."""
    current = _open()
    if current is not None:
        instance.__dict__[LOCKED] = current


def locked_here(instance: Any) -> bool:
    """Whether `instance` was read with a row lock in the transaction still running."""
    current = _current.get()
    return (
        current is not None
        and connection.in_atomic_block
        and instance.__dict__.get(LOCKED) is current
    )
