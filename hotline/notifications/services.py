"""The one way to tell someone something, and the delivery loop behind it."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import translation

from hotline.core import clock
from hotline.core.bulk import insert_rows
from hotline.notifications import senders
from hotline.notifications.models import Notification, NotificationChannel, State

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 6


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


def _delivery(channel: str, now: datetime | None = None) -> dict[str, Any]:
    """An inbox message is delivered when it is queued; the others wait for deliver_due."""
    if channel == NotificationChannel.INBOX:
        return {"state": State.SENT, "sent_at": now or clock.now()}
    return {"state": State.PENDING, "sent_at": None}


def notify_many(messages: Iterable[dict[str, Any]]) -> int:
    """Queue many messages in a few INSERTs; each item holds notify()'s keyword arguments
    (or `recipient_id` / `ticket_id` for `recipient` / `ticket`) and is queued as notify()
    would queue it. A keyed message already queued under its key (and channel) is
    skipped, as by notify(), and the unique constraint decides (ON CONFLICT DO NOTHING /
    INSERT OR IGNORE), so a concurrent caller cannot double it either. A routine in-app
    message (`"digest": True`) to a user who chose the daily digest is held for it
    (`digest.hold_for_digest`). Call it inside the caller's transaction. Returns how many
    were offered (the database does not say which keyed ones it skipped)."""
    keyed: list[dict[str, Any]] = []
    plain: list[dict[str, Any]] = []
    now = clock.now()  # one moment for the lot, as insert_rows' defaults
    from hotline.notifications.digest import hold_for_digest

    offered = [_with_ids(m) for m in messages]
    for message in hold_for_digest(offered):
        channel = message["channel"]
        row = {
            "channel": channel,
            "subject": message["subject"][:200],
            "body": message["body"],
            "recipient_id": message["recipient_id"],
            "address": message.get("address", ""),
            "ticket_id": message["ticket_id"],
            "key": message.get("key", ""),
            **_delivery(channel, now),
        }
        (keyed if row["key"] else plain).append(row)
    insert_rows(Notification, keyed, ignore_conflicts=True)
    insert_rows(Notification, plain)
    return len(offered)


def _with_ids(message: dict[str, Any]) -> dict[str, Any]:
    """notify_many's item with `recipient_id` and `ticket_id` whichever way it came."""
    out = dict(message)
    if "recipient_id" not in out:
        recipient = out.pop("recipient", None)
        out["recipient_id"] = recipient.pk if recipient is not None else None
    if "ticket_id" not in out:
        ticket = out.pop("ticket", None)
        out["ticket_id"] = ticket.pk if ticket is not None else None
    return out


def _backoff(attempts: int) -> timedelta:
    return timedelta(minutes=2 ** min(attempts, 8))


def claim_timeout() -> timedelta:
    """A claim older than this was lost with its worker (killed mid-send): the message is
    taken again. Longer than any one send (HOTLINE_NOTIFY_CLAIM_SECONDS)."""
    return timedelta(seconds=settings.HOTLINE_NOTIFY_CLAIM_SECONDS)


def _claim(limit: int) -> tuple[datetime, list[Notification]]:
    """Take up to `limit` due messages: read and marked `sending` in one transaction, the
    rows locked `FOR UPDATE SKIP LOCKED` on PostgreSQL (a second worker skips them and
    takes the next ones; on SQLite the transaction itself holds the write lock). Returns
    the claim's moment, which the worker's final write must still find."""
    now = clock.now()
    with transaction.atomic():
        ids = list(
            Notification.objects.filter(
                Q(state=State.PENDING, next_attempt_at__lte=now)
                | Q(state=State.SENDING, claimed_at__lt=now - claim_timeout())
            )
            .order_by("next_attempt_at", "id")
            .select_for_update(skip_locked=True)
            .values_list("pk", flat=True)[:limit]
        )
        if ids:
            Notification.objects.filter(pk__in=ids).update(state=State.SENDING, claimed_at=now)
    return now, list(Notification.objects.filter(pk__in=ids).order_by("next_attempt_at", "id"))


CLAIM_CHUNK = 10  # claimed at a time: a killed worker leaves few messages waiting


def deliver_due(*, limit: int = 200) -> dict[str, int]:
    """Send what is due, claimed CLAIM_CHUNK at a time; failures are retried with
    exponential backoff, then given up (and shown to supervisors); a message that no
    attempt could deliver as things are set up (no gateway configured, no address:
    senders.Undeliverable) is given up at once. Returns counts for the log.

    Delivery is at least once: a worker killed after the gateway accepted a message but
    before its `sent` was committed leaves it claimed, and after claim_timeout() another
    pass sends it again, with the same idempotency key (senders.idempotency_key) so the
    gateway can drop the repeat."""
    counts = {"sent": 0, "retry": 0, "failed": 0}
    taken = 0
    while taken < limit:
        claimed_at, notes = _claim(min(CLAIM_CHUNK, limit - taken))
        if not notes:
            break
        taken += len(notes)
        for note in notes:
            _deliver(note, claimed_at, counts)
    return counts


def _deliver(note: Notification, claimed_at: datetime, counts: dict[str, int]) -> None:
    """Send one claimed message and record the outcome, if the claim is still ours."""
    try:
        with translation.override(settings.LANGUAGE_CODE):  # the log's reasons
            senders.SENDERS[NotificationChannel(note.channel)](note)
    except senders.DeliveryError as exc:
        note.attempts += 1
        note.last_error = str(exc)[:1000]
        if isinstance(exc, senders.Undeliverable) or note.attempts >= MAX_ATTEMPTS:
            note.state = State.FAILED
            outcome = "failed"
            log.warning("notification %s given up: %s", note.pk, exc)
        else:
            note.state = State.PENDING
            note.next_attempt_at = clock.now() + _backoff(note.attempts)
            outcome = "retry"
    else:
        note.attempts += 1
        note.state, note.sent_at, note.last_error = State.SENT, clock.now(), ""
        outcome = "sent"
    written = Notification.objects.filter(
        pk=note.pk, state=State.SENDING, claimed_at=claimed_at
    ).update(
        attempts=note.attempts,
        last_error=note.last_error,
        state=note.state,
        next_attempt_at=note.next_attempt_at,
        sent_at=note.sent_at,
        claimed_at=None,
    )
    if not written:  # the claim timed out and another worker took the message over
        outcome = "lost_claim"
        log.warning("notification %s: claim lost while sending", note.pk)
    counts[outcome] = counts.get(outcome, 0) + 1


def inbox_mark_all_read(*, user, ticket_id: int | None = None) -> int:
    """全部标为已读: every unread in-app message of the user (of one ticket if given)."""
    unread = Notification.objects.filter(
        recipient=user, channel=NotificationChannel.INBOX, read_at__isnull=True
    )
    if ticket_id is not None:
        unread = unread.filter(ticket_id=ticket_id)
    return unread.update(read_at=clock.now())


def inbox_mark_read(*, user, notification: Notification) -> None:
    if notification.recipient_id != user.pk:
        return
    Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
        read_at=clock.now()
    )
