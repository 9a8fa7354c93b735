"""The daily digest (issue 15 item 15): a clerk with forty tickets gets one message a day
listing the routine reminders instead of hundreds of single ones.

A user chooses it (`Preference.daily_digest`, on the messages page). `hold_for_digest`
takes a batch of messages about to be queued (notify_many's items) and keeps back the
routine in-app ones of users who chose the digest (callers mark a message
`"digest": True`; urgent work never is), storing them as `DigestItem`s under their own
keys. The tick's `send_digests` sends, once the digest hour has come, one in-app message
per user per day through the outbox with the key `digest:<user>:<date>`, and marks the
items it lists, in one transaction per user: a restarted tick neither loses nor doubles
a digest.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, time
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from hotline.core import clock
from hotline.core.bulk import insert_rows
from hotline.notifications.models import DigestItem, Notification, NotificationChannel, Preference

MAX_LINES = 200  # a digest lists this many items, then says how many more


def digest_users(user_ids: set[int]) -> set[int]:
    if not user_ids:
        return set()
    return set(
        Preference.objects.filter(user_id__in=user_ids, daily_digest=True).values_list(
            "user_id", flat=True
        )
    )


def hold_for_digest(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The messages to queue now; the routine in-app ones of digest users are held."""
    candidates = {
        m["recipient_id"]
        for m in messages
        if m.get("digest") and m["channel"] == NotificationChannel.INBOX and m.get("recipient_id")
    }
    digesting = digest_users(candidates)
    if not digesting:
        return messages
    now = clock.now()
    held, rest = [], []
    for m in messages:
        if (
            m.get("digest")
            and m["channel"] == NotificationChannel.INBOX
            and m["recipient_id"] in digesting
        ):
            held.append(
                {
                    "recipient_id": m["recipient_id"],
                    "ticket_id": m.get("ticket_id"),
                    "subject": m["subject"][:200],
                    "body": m["body"],
                    "key": m.get("key", ""),
                    "created_at": now,
                    "digest_id": None,
                }
            )
        else:
            rest.append(m)
    insert_rows(DigestItem, [h for h in held if h["key"]], ignore_conflicts=True)
    insert_rows(DigestItem, [h for h in held if not h["key"]])
    return rest


def digest_moment(day) -> datetime:
    """When the digest of `day` goes out (settings.HOTLINE_DIGEST_TIME, local time)."""
    hour, minute = (int(x) for x in getattr(settings, "HOTLINE_DIGEST_TIME", "09:00").split(":"))
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def _body(items: list[DigestItem]) -> str:
    by_ticket: dict[str, list[str]] = defaultdict(list)
    for item in items[:MAX_LINES]:
        number = item.ticket.number if item.ticket else ""
        by_ticket[number].append(item.body)
    lines = []
    for number, texts in by_ticket.items():
        lines += [f"· {text}" for text in texts] if number else [f"· {t}" for t in texts]
    if len(items) > MAX_LINES:
        lines.append(
            _("…and %(count)s more; see them by ticket on the messages page.")
            % {"count": len(items) - MAX_LINES}
        )
    return "\n".join(lines)


def send_digests(*, limit: int = 500) -> dict[str, int]:
    """The tick's job: after the digest hour, one digest per user per day."""
    now = timezone.localtime(clock.now())
    if now < digest_moment(now.date()):
        return {"digests": 0}
    day = now.date()
    users = list(
        DigestItem.objects.filter(digest__isnull=True, created_at__lte=now)
        .values_list("recipient_id", flat=True)
        .distinct()
        .order_by("recipient_id")[:limit]
    )
    sent = 0
    for user_id in users:
        with transaction.atomic():
            items = list(
                DigestItem.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(recipient_id=user_id, digest__isnull=True, created_at__lte=now)
                .select_related("ticket")
                .order_by("created_at", "id")
            )
            if not items:
                continue  # another tick has them
            key = f"digest:{user_id}:{day.isoformat()}"
            if Notification.objects.filter(key=key, channel=NotificationChannel.INBOX).exists():
                continue  # today's digest went out; these wait for tomorrow's
            tickets = {i.ticket_id for i in items if i.ticket_id}
            with translation.override(settings.LANGUAGE_CODE):  # the tick has no request
                subject = _("Daily reminder digest: %(items)s reminders on %(tickets)s tickets") % {
                    "items": len(items),
                    "tickets": len(tickets),
                }
                body = _body(items)
            note = Notification.objects.create(
                channel=NotificationChannel.INBOX,
                recipient_id=user_id,
                subject=subject,
                body=body,
                key=key,
                state="sent",
                sent_at=clock.now(),
            )
            DigestItem.objects.filter(pk__in=[i.pk for i in items]).update(digest=note)
            sent += 1
    return {"digests": sent}


def preference_set(*, user, daily_digest: bool) -> Preference:
    pref, _created = Preference.objects.update_or_create(
        user=user, defaults={"daily_digest": daily_digest}
    )
    return pref
