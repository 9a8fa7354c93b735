"""The one way to tell someone something, and the delivery loop behind it."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q

from hotline.core import clock
from hotline.notifications import senders
from hotline.notifications.models import Channel, Notification, State

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 6
CLAIM_TIMEOUT = timedelta(minutes=10)  # a claim older than this was lost with its worker


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
                state=State.SENT if channel == Channel.INBOX else State.PENDING,
                sent_at=clock.now() if channel == Channel.INBOX else None,
            )
    except IntegrityError:
        if key:
            return None  # already queued under this key
        raise


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
