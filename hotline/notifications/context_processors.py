"""The unread-messages badge of the page header (base.html).

Counted only when a template shows it: the htmx fragments (duplicates while typing, the
caller history, suggestions) render with the same context processors but no header, and
were paying a COUNT query each for nothing (decision 0032, bench/mixed.py)."""

from django.utils.functional import SimpleLazyObject

from hotline.notifications.models import Notification, NotificationChannel


def unread(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def count() -> int:
        return Notification.objects.filter(
            recipient=user, channel=NotificationChannel.INBOX, read_at__isnull=True
        ).count()

    return {"unread_notifications": SimpleLazyObject(count)}
