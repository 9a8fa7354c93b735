"""Requests from the online channels (市长信箱, SMS, WeChat, web, partner hotlines) waiting
in the operators' online queue for review (受理审核), and which channels are open."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from hotline.core import clock
from hotline.core.outbox import OutboxRow
from hotline.tickets.models import TicketChannel

USER = settings.AUTH_USER_MODEL


class ReplyChannel(models.TextChoices):
    """How the citizen wants to hear back and be visited (R-FB-2)."""

    PHONE = "phone", _("Phone")
    SMS = "sms", _("SMS")
    WEB = "web", _("Web")
    EMAIL = "email", _("E-mail")
    WECHAT = "wechat", _("WeChat")


class OnlineRequestQuerySet(models.QuerySet["OnlineRequest"]):
    def visible_to(self, user) -> OnlineRequestQuerySet:
        """The online queue is the hotline's: operators (intake) and supervisors see it."""
        from hotline.accounts.permissions import Capability, can

        if can(user, Capability.INTAKE) or can(user, Capability.SUPERVISE):
            return self
        return self.none()


class OnlineRequest(models.Model):
    """One message from an online channel; accepted, merged or declined by an operator."""

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting for review")
        ACCEPTED = "accepted", _("Accepted")
        MERGED = "merged", _("Merged into a repeat")
        DECLINED = "declined", _("Declined")

    number = models.CharField(_("number"), max_length=20, unique=True, null=True, blank=True)
    channel = models.CharField(_("channel"), max_length=16, choices=TicketChannel.choices)
    external_id = models.CharField(
        _("external id"),
        max_length=250,
        blank=True,
        help_text=_("Message-ID of a mail, the partner's number, the gateway's message id"),
    )
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("text"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=16, blank=True)
    name = models.CharField(_("name"), max_length=50, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    email = models.EmailField(_("e-mail"), max_length=254, blank=True)
    wechat_openid = models.CharField(max_length=64, blank=True)
    confidential = models.BooleanField(_("confidential"), default=False)
    reply_channel = models.CharField(
        _("reply and visit by"), max_length=8, choices=ReplyChannel.choices, blank=True
    )
    received_at = models.DateTimeField(_("received at"), default=clock.now)
    accept_due = models.DateTimeField(_("review by"), null=True, blank=True)
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.PENDING
    )
    decline_reason = models.TextField(_("reason declined"), blank=True)
    ticket = models.ForeignKey(
        "tickets.Ticket",
        verbose_name=_("ticket"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="online_requests",
    )
    merged_into = models.ForeignKey(
        "tickets.Ticket",
        verbose_name=_("repeat of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Parts refused on arrival, each {"name": ..., "reason": ...} (a virus-like type, too big,
    # malformed MIME): the request is kept, the part is not, the reason is.
    dropped = models.JSONField(_("parts dropped"), default=list, blank=True)
    handled_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    handled_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)

    objects = OnlineRequestQuerySet.as_manager()
    was_created = True  # set by online_request_create: False when offered again

    class Meta:
        verbose_name = _("online request")
        verbose_name_plural = _("online requests")
        ordering = ["received_at", "id"]
        indexes = [
            models.Index(fields=["state", "accept_due"], name="online_request_due"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "external_id"],
                condition=~models.Q(external_id=""),
                name="online_request_external_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number or self.pk} {self.subject}"


def online_attachment_path(instance: OnlineAttachment, filename: str) -> str:
    return f"online/{instance.request.received_at:%Y/%m}/{instance.request_id}/{filename}"


class OnlineAttachment(models.Model):
    """A file that came with an online request; copied onto the ticket when accepted."""

    request = models.ForeignKey(OnlineRequest, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=online_attachment_path, max_length=300)
    name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveIntegerField(_("size"))
    content_type = models.CharField(max_length=100)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class MessageSecurity(models.TextChoices):
    """WeChat's three message modes (明文 / 兼容 / 安全模式, 消息加解密)."""

    PLAIN = "plain", _("Plain text")
    COMPATIBLE = "compatible", _("Compatible (plain or encrypted)")
    SAFE = "safe", _("Safe (encrypted only)")


class ChannelConfig(models.Model):
    """Whether a channel takes requests (R-IN-1: LX opens phone and mailbox only), and
    for WeChat how its messages are protected (消息加解密 with the EncodingAESKey)."""

    channel = models.CharField(
        _("channel"), max_length=16, choices=TicketChannel.choices, unique=True
    )
    open = models.BooleanField(_("open"), default=True)
    closed_message = models.CharField(
        _("message when closed"),
        max_length=200,
        blank=True,
        help_text=_("What a closed channel answers; a standard sentence when empty"),
    )
    message_security = models.CharField(
        _("message security"),
        max_length=10,
        choices=MessageSecurity.choices,
        default=MessageSecurity.PLAIN,
    )
    aes_key = models.CharField(
        _("EncodingAESKey"),
        max_length=43,
        blank=True,
        help_text=_("The 43 characters set on the WeChat platform for encrypted messages"),
    )
    updated_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = _("channel setting")
        verbose_name_plural = _("channel settings")
        ordering = ["channel"]

    def __str__(self) -> str:
        return f"{self.channel} {'open' if self.open else 'closed'}"


class Cursor(models.Model):
    """How far a channel job has read an append-only log (e.g. the ticket events whose
    progress notices went out by e-mail), so each pass reads only what is new."""

    name = models.CharField(max_length=32, unique=True)
    position = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("cursor")
        verbose_name_plural = _("cursors")

    def __str__(self) -> str:
        return f"{self.name} {self.position}"


class InboundReceipt(models.Model):
    """Each signed webhook message taken, by its sender's message id: a replay of the same
    message is refused (SMS gateway, partner hotlines)."""

    source = models.CharField(max_length=32)
    message_id = models.CharField(max_length=100)
    received_at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = _("inbound receipt")
        verbose_name_plural = _("inbound receipts")
        constraints = [
            models.UniqueConstraint(fields=["source", "message_id"], name="inbound_receipt_once")
        ]

    def __str__(self) -> str:
        return f"{self.source} {self.message_id}"


class SmsVisit(models.Model):
    """A return-visit SMS sent to a citizen who chose to be visited by SMS; their reply
    "1 / 2 / 3" records the visit (R-FB-2)."""

    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="+")
    phone = models.CharField(max_length=32, db_index=True)
    sent_at = models.DateTimeField(default=clock.now)
    answered_at = models.DateTimeField(null=True, blank=True)
    answer = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = _("SMS visit")
        verbose_name_plural = _("SMS visits")
        ordering = ["-sent_at", "-id"]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.phone}"


class WeChatDialogue(models.Model):
    """A WeChat follower's request being written: the text first, then a phone (or skip)."""

    openid = models.CharField(max_length=64, unique=True)
    body = models.TextField()
    updated_at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = _("WeChat dialogue")
        verbose_name_plural = _("WeChat dialogues")

    def __str__(self) -> str:
        return self.openid


class Partner(models.Model):
    """Another city's 12345 hotline we transfer matters to and take them from (ZS 24)."""

    code = models.SlugField(
        _("code"), max_length=32, unique=True, help_text=_("How the partner names itself")
    )
    name = models.CharField(_("name"), max_length=100)
    url = models.URLField(
        _("API address"),
        help_text=_("The partner's transfer API, e.g. https://…/channels/partner/"),
    )
    key = models.CharField(
        _("shared key"), max_length=200, help_text=_("Signs the messages both ways (HMAC)")
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("partner hotline")
        verbose_name_plural = _("partner hotlines")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Transfer(models.Model):
    """One matter transferred out to a partner or in from one, with what came back."""

    class Direction(models.TextChoices):
        OUT = "out", _("Transferred out")
        IN = "in", _("Transferred in")

    class State(models.TextChoices):
        SENT = "sent", _("Sent")
        RECEIVED = "received", _("Received")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        COMPLETED = "completed", _("Completed")

    direction = models.CharField(
        max_length=4, choices=Direction.choices, verbose_name=_("direction")
    )
    partner = models.ForeignKey(
        Partner,
        on_delete=models.PROTECT,
        related_name="transfers",
        verbose_name=_("partner hotline"),
    )
    ticket = models.ForeignKey(
        "tickets.Ticket",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("ticket"),
    )
    request = models.OneToOneField(
        OnlineRequest,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="transfer",
        verbose_name=_("online request"),
    )
    remote_id = models.CharField(
        max_length=64, blank=True, verbose_name=_("remote id")
    )  # the partner's transfer id
    remote_number = models.CharField(_("partner's number"), max_length=32, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices)
    result = models.TextField(_("result"), blank=True)
    created_at = models.DateTimeField(default=clock.now, verbose_name=_("created at"))
    updated_at = models.DateTimeField(default=clock.now, verbose_name=_("updated at"))

    class Meta:
        verbose_name = _("transfer")
        verbose_name_plural = _("transfers")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.direction} {self.partner_id} {self.pk}"


class PartnerCall(OutboxRow):
    """An outbox of signed POSTs to partners (a transfer, a status update), delivered by
    the tick with retries; `key` keeps each message once."""

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed, given up")

    partner = models.ForeignKey(
        Partner, on_delete=models.PROTECT, related_name="calls", verbose_name=_("partner hotline")
    )
    path = models.CharField(max_length=200, verbose_name=_("path"))
    payload = models.JSONField(verbose_name=_("payload"))
    key = models.CharField(max_length=120, unique=True, verbose_name=_("idempotency key"))
    state = models.CharField(
        max_length=8, choices=State.choices, default=State.PENDING, verbose_name=_("state")
    )
    response = models.JSONField(default=dict, blank=True, verbose_name=_("response"))

    class Meta:
        verbose_name = _("partner call")
        verbose_name_plural = _("partner calls")
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="partner_call_due")]

    def __str__(self) -> str:
        return self.key
