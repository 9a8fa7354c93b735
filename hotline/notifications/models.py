"""Messages to people: the in-app inbox, e-mail and SMS behind one interface, with a
delivery log that retries with backoff (a failed delivery never blocks a ticket)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from hotline.core import clock
from hotline.core.masking import mask_contact
from hotline.core.outbox import OutboxRow


class NotificationChannel(models.TextChoices):
    INBOX = "inbox", _("In-app inbox")
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")
    WECHAT = "wechat", _("WeChat template message")


class State(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENDING = "sending", _("Being sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed, given up")


class Notification(OutboxRow):
    channel = models.CharField(_("channel"), max_length=8, choices=NotificationChannel.choices)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
        # No index of its own: the (recipient, channel, read_at) index below starts with
        # it and serves every lookup by recipient (the inbox, the unread count, a user's
        # deletion). One index less to write per message (the sweeper queues thousands).
        db_index=False,
        verbose_name=_("recipient"),
    )
    address = models.CharField(
        _("address"), max_length=200, blank=True, help_text=_("Phone number or e-mail address")
    )
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("text"))
    ticket = models.ForeignKey(
        "tickets.Ticket",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="notifications",
        verbose_name=_("ticket"),
    )
    key = models.CharField(
        max_length=120,
        blank=True,
        help_text="Idempotency key: the same key is never sent twice",
        verbose_name=_("idempotency key"),
    )
    state = models.CharField(_("state"), max_length=8, choices=State.choices, default=State.PENDING)
    claimed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("claimed at"))
    created_at = models.DateTimeField(_("created at"), default=clock.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["state", "next_attempt_at"]),
            models.Index(fields=["recipient", "channel", "read_at"]),
        ]
        constraints = [
            # The caller's key names the message and its recipient: e.g.
            # "reminder:<assignment>:<rung>:<address>". One row per key and channel.
            models.UniqueConstraint(
                fields=["key", "channel"],
                condition=~models.Q(key=""),
                name="notifications_key_once",
            ),
        ]

    def __str__(self) -> str:
        # Masked: a citizen's phone may be the address (issue 14 item 3).
        return f"{self.channel} {mask_contact(self.address) or self.recipient_id}: {self.subject}"


class Preference(models.Model):
    """A user's choice of how reminders reach them (issue 15 item 15)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="notification_preference",
    )
    daily_digest = models.BooleanField(
        _("daily digest"),
        default=False,
        help_text=_("Collect routine reminders into one message a day; urgent ones come at once."),
    )

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self) -> str:
        return f"{self.user_id}: {'digest' if self.daily_digest else 'each'}"


class DigestItem(models.Model):
    """A routine in-app message held for its recipient's daily digest. The `key` is the
    message's own idempotency key, so a retried caller holds it once only."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    ticket = models.ForeignKey(
        "tickets.Ticket",
        verbose_name=_("ticket"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("text"))
    key = models.CharField(max_length=120, blank=True)
    created_at = models.DateTimeField(_("created at"), default=clock.now)
    digest = models.ForeignKey(
        Notification,
        verbose_name=_("sent in"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("digest item")
        verbose_name_plural = _("digest items")
        indexes = [models.Index(fields=["digest", "recipient", "created_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["key"], condition=~models.Q(key=""), name="notifications_digest_key_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.recipient_id}: {self.subject}"
