"""The one way to tell someone something, and the delivery loop behind it."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from django.db import IntegrityError, connection, models, transaction
from django.db.models import Q

from hotline.core import clock
from hotline.notifications import senders
from hotline.notifications.models import Channel, Notification, State

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 6
CLAIM_TIMEOUT = timedelta(minutes=10)  # a claim older than this was lost with its worker
BULK_SIZE = 1000  # rows per INSERT in notify_many


def notify(
    *,
    channel: str,
    subject: str,
    body: str,
    recipient=None,
    address: str = "",
    ticket=None,
    key: str = "",
) -> Notification | None:
    """Queue one message. With a `key`, the same message is queued once only (a retried
    or restarted caller cannot send it twice). Call it inside the caller's transaction:
    the message exists if and only if the change that caused it was committed."""
    try:
        with transaction.atomic():
            return Notification.objects.create(
                channel=channel,
                subject=subject[:200],
                body=body,
                recipient=recipient,
                address=address,
                ticket=ticket,
                key=key,
                **_delivery(channel),
            )
    except IntegrityError:
        if key:
            return None  # already queued under this key
        raise


def _delivery(channel: str) -> dict[str, Any]:
    """An inbox message is delivered when it is queued; the others wait for deliver_due."""
    if channel == Channel.INBOX:
        return {"state": State.SENT, "sent_at": clock.now()}
    return {"state": State.PENDING, "sent_at": None}


def notify_many(messages: Iterable[dict[str, Any]]) -> int:
    """Queue many messages in a few INSERTs; each item holds notify()'s keyword arguments
    (or `recipient_id` / `ticket_id` for `recipient` / `ticket`) and is queued as notify()
    would queue it. A keyed message already queued under its key (and channel) is
    skipped, as by notify(), and the unique constraint decides (ON CONFLICT DO NOTHING /
    INSERT OR IGNORE), so a concurrent caller cannot double it either. Call it inside the
    caller's transaction. Returns how many were offered (the database does not say which
    keyed ones it skipped)."""
    keyed: list[dict[str, Any]] = []
    plain: list[dict[str, Any]] = []
    now = clock.now()  # one moment for the lot, as insert_rows' defaults
    for message in messages:
        channel = message["channel"]
        if "recipient_id" in message:
            recipient_id = message["recipient_id"]
        else:
            recipient = message.get("recipient")
            recipient_id = recipient.pk if recipient is not None else None
        if "ticket_id" in message:
            ticket_id = message["ticket_id"]
        else:
            ticket = message.get("ticket")
            ticket_id = ticket.pk if ticket is not None else None
        inbox = channel == Channel.INBOX  # delivered when queued, as _delivery() says
        row = {
            "channel": channel,
            "subject": message["subject"][:200],
            "body": message["body"],
            "recipient_id": recipient_id,
            "address": message.get("address", ""),
            "ticket_id": ticket_id,
            "key": message.get("key", ""),
            "state": State.SENT if inbox else State.PENDING,
            "sent_at": now if inbox else None,
        }
        (keyed if row["key"] else plain).append(row)
    insert_rows(Notification, keyed, ignore_conflicts=True)
    insert_rows(Notification, plain)
    return len(keyed) + len(plain)


def insert_rows(
    model: type[models.Model], rows: Sequence[dict[str, Any]], *, ignore_conflicts: bool = False
) -> list[Any]:
    """Insert many rows of one model, given as {field attname: value}, the other fields
    taking their defaults (a callable default is called once per call: one `now` for
    the lot). Returns the new ids in the order given (none with `ignore_conflicts`: ON
    CONFLICT DO NOTHING / INSERT OR IGNORE, on any unique constraint).

    On PostgreSQL it is `INSERT … SELECT * FROM unnest(<one array per column>)` with the
    values as given, without model instances or bulk_create's per-value preparation,
    which are most of the time at thousands of rows (the sweeper writes ~5 rows per
    reminder). The values must be ready for the database: text, numbers, ids, aware
    datetimes, JSON-serialisable data for JSON fields. Elsewhere it is bulk_create()."""
    if not rows:
        return []
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    pk = model._meta.pk
    assert pk is not None
    defaults = {f.attname: f.get_default() for f in fields if any(f.attname not in r for r in rows)}
    if connection.vendor != "postgresql":
        objs = [model(**{**defaults, **row}) for row in rows]
        model._default_manager.bulk_create(
            objs, batch_size=BULK_SIZE, ignore_conflicts=ignore_conflicts
        )
        return [] if ignore_conflicts else [obj.pk for obj in objs]
    quote = connection.ops.quote_name
    casts = [
        "%b::text[]::jsonb[]"
        if isinstance(f, models.JSONField)
        else f"%b::{f.db_type(connection)}[]"
        for f in fields
    ]
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
        f"SELECT * FROM unnest({', '.join(casts)}) "
        + ("ON CONFLICT DO NOTHING" if ignore_conflicts else f"RETURNING {quote(pk.column)}")
    )
    ids: list[Any] = []
    for start in range(0, len(rows), BULK_SIZE):
        chunk = rows[start : start + BULK_SIZE]
        arrays = []
        for f in fields:
            name, default = f.attname, defaults.get(f.attname)
            values = [row.get(name, default) for row in chunk]
            if isinstance(f, models.JSONField):
                values = [None if v is None else json.dumps(v, cls=f.encoder) for v in values]
            arrays.append(values)
        with bound_cursor() as cursor:
            cursor.execute(sql, arrays)
            if not ignore_conflicts:
                ids += [row[0] for row in cursor.fetchall()]  # in the order given
    return ids


@contextmanager
def bound_cursor() -> Iterator[Any]:
    """A PostgreSQL cursor that sends the parameters apart from the statement (psycopg's
    server-side binding; `%b` asks for binary), wrapped as Django wraps its own (execute
    wrappers, query log), in the current transaction. Django's cursors merge the values
    into the SQL text on the client, which for arrays of thousands of strings means
    quoting each one in Python: most of a bulk insert's time."""
    import psycopg

    connection.ensure_connection()
    connection.validate_thread_sharing()
    raw = psycopg.Cursor(connection.connection)
    wrap = connection.make_debug_cursor if connection.queries_logged else connection.make_cursor
    with wrap(raw) as cursor:  # type: ignore[arg-type]  # (stubs: any DB-API cursor)
        yield cursor


def _backoff(attempts: int) -> timedelta:
    return timedelta(minutes=2 ** min(attempts, 8))


def _claim(limit: int) -> list[Notification]:
    """Take due messages atomically: a conditional UPDATE per row, so two workers never
    send the same message (the loser's update matches no row)."""
    now = clock.now()
    due = (
        Notification.objects.filter(
            Q(state=State.PENDING, next_attempt_at__lte=now)
            | Q(state=State.SENDING, claimed_at__lt=now - CLAIM_TIMEOUT)
        )
        .order_by("next_attempt_at", "id")
        .values_list("pk", "state", "claimed_at")[:limit]
    )
    claimed = []
    for pk, state, claimed_at in due:
        won = Notification.objects.filter(pk=pk, state=state, claimed_at=claimed_at).update(
            state=State.SENDING, claimed_at=now
        )
        if won:
            claimed.append(pk)
    return list(Notification.objects.filter(pk__in=claimed))


def deliver_due(*, limit: int = 200) -> dict[str, int]:
    """Send what is due; failures are retried with exponential backoff, then given up
    (and shown to supervisors). Returns counts for the log."""
    counts = {"sent": 0, "retry": 0, "failed": 0}
    for note in _claim(limit):
        try:
            senders.SENDERS[Channel(note.channel)](note)
        except senders.DeliveryError as exc:
            note.attempts += 1
            note.last_error = str(exc)[:1000]
            if note.attempts >= MAX_ATTEMPTS:
                note.state = State.FAILED
                counts["failed"] += 1
                log.warning("notification %s given up: %s", note.pk, exc)
            else:
                note.state = State.PENDING
                note.next_attempt_at = clock.now() + _backoff(note.attempts)
                counts["retry"] += 1
        else:
            note.attempts += 1
            note.state, note.sent_at, note.last_error = State.SENT, clock.now(), ""
            counts["sent"] += 1
        note.claimed_at = None
        note.save(
            update_fields=[
                "attempts",
                "last_error",
                "state",
                "next_attempt_at",
                "sent_at",
                "claimed_at",
            ]
        )
    return counts


def inbox_mark_read(*, user, notification: Notification) -> None:
    if notification.recipient_id != user.pk:
        return
    Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
        read_at=clock.now()
    )
