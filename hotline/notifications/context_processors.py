from hotline.notifications.models import Notification, NotificationChannel


def unread(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    count = Notification.objects.filter(
        recipient=user, channel=NotificationChannel.INBOX, read_at__isnull=True
    ).count()
    return {"unread_notifications": count}
