"""Messages to an entry's owner and the tick's knowledge job (R-KB, ZS 34).

Each pass of `hotline tick` reminds owners, once per date, of (1) the public release day
of a policy known in advance, when the official text is not attached yet, (2) entries past
their review date (stale), (3) error reports past their correction deadline. Keys make
each message unique, so overlapping ticks never send one twice.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.db.models import Exists, F, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from hotline.accounts.models import User
from hotline.core import clock
from hotline.knowledge.models import Entry, EntryAttachment, EntryEvent, ErrorReport
from hotline.notifications.models import NotificationChannel
from hotline.notifications.services import notify_many


def owner_staff(entry: Entry):
    """The owner unit's active staff (`User.objects.unit_staff`)."""
    return User.objects.unit_staff(entry.owner_id)


def tell_owner(entry: Entry, *, subject: str, body: str, key: str) -> int:
    """An inbox message to each of the owner unit's staff; call inside a transaction."""
    return notify_many(
        {
            "channel": NotificationChannel.INBOX,
            "recipient_id": user.pk,
            "subject": subject,
            "body": body,
            "key": f"{key}:{user.pk}",
        }
        for user in owner_staff(entry)
    )


def remind_due() -> dict[str, int]:
    """The tick job: release-day, review-date and overdue-correction reminders."""
    today = timezone.localdate(clock.now())
    counts = {"release": 0, "review": 0, "overdue": 0}
    official = EntryAttachment.objects.filter(entry=OuterRef("pk"), official=True)
    releasing = (
        Entry.objects.live()
        .filter(
            published_version__release_on__lte=today,
            published_version__release_on__gte=today - timedelta(days=30),
        )
        .exclude(release_reminded_for=today)
        .filter(~Exists(official))
        .select_related("published_version")
    )
    for entry in releasing[:500]:
        with transaction.atomic():
            if (
                not Entry.objects.filter(pk=entry.pk)
                .exclude(release_reminded_for=today)
                .update(release_reminded_for=today)
            ):
                continue  # another tick claimed it
            version = entry.published_version
            assert version is not None
            tell_owner(
                entry,
                subject=_("Policy released: attach the official text of %(title)s")
                % {"title": version.title},
                body=_("%(title)s is public from %(day)s; upload the official policy document.")
                % {"title": version.title, "day": version.release_on},
                key=f"kb-release:{entry.pk}:{today}",
            )
            EntryEvent.objects.create(
                entry=entry, kind="release_reminded", data={"day": str(today)}
            )
            counts["release"] += 1
    stale = (
        Entry.objects.live()
        .filter(published_version__review_by__lte=today)
        .exclude(review_reminded_for=F("published_version__review_by"))
        .select_related("published_version")
    )
    for entry in stale[:500]:
        version = entry.published_version
        assert version is not None
        with transaction.atomic():
            claimed = (
                Entry.objects.filter(pk=entry.pk)
                .exclude(review_reminded_for=version.review_by)
                .update(review_reminded_for=version.review_by)
            )
            if not claimed:
                continue  # reminded once for this review date (or by another tick)
            tell_owner(
                entry,
                subject=_("Knowledge entry due for review: %(title)s") % {"title": version.title},
                body=_("Its review date was %(day)s: confirm it is current or correct it.")
                % {"day": version.review_by},
                key=f"kb-review:{entry.pk}:{version.review_by}",
            )
            EntryEvent.objects.create(
                entry=entry, kind="review_reminded", data={"review_by": str(version.review_by)}
            )
            counts["review"] += 1
    overdue = ErrorReport.objects.filter(
        corrected_at__isnull=True, due_at__lt=clock.now()
    ).select_related("entry", "version")
    for report in overdue[:500]:
        with transaction.atomic():
            counts["overdue"] += bool(
                tell_owner(
                    report.entry,
                    subject=_("Correction overdue: %(title)s") % {"title": report.version.title},
                    body=report.reason,
                    key=f"kb-overdue:{report.pk}",
                )
            )
    return counts
