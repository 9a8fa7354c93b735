"""Every read of the channels app: the online queue, late reviews, open channels."""

from __future__ import annotations

from datetime import datetime

from django.utils.translation import gettext_lazy as _

from hotline.channels.models import ChannelConfig, MessageSecurity, OnlineRequest
from hotline.core import clock
from hotline.tickets.models import TicketChannel

CLOSED_TEXT = _("This channel is not open yet; please call the 12345 hotline.")


def channel_is_open(channel: str) -> bool:
    """A channel without a setting is open; the administrator closes it (R-IN-1)."""
    row = ChannelConfig.objects.filter(channel=channel).only("open").first()
    return row.open if row else True


def channel_closed_message(channel: str) -> str:
    row = ChannelConfig.objects.filter(channel=channel).first()
    return (row.closed_message if row else "") or str(CLOSED_TEXT)


def wechat_security() -> tuple[str, str]:
    """WeChat's message mode (plain / compatible / safe) and its EncodingAESKey."""
    row = ChannelConfig.objects.filter(channel=TicketChannel.WECHAT).first()
    return (row.message_security, row.aes_key) if row else (MessageSecurity.PLAIN, "")


def channel_settings() -> list[dict]:
    """Every channel with its setting, in the order of the channel list."""
    rows = {c.channel: c for c in ChannelConfig.objects.select_related("updated_by")}
    return [
        {
            "channel": value,
            "label": label,
            "config": rows.get(value),
            "open": (rows[value].open if value in rows else True),
        }
        for value, label in TicketChannel.choices
    ]


def online_queue(user, *, state: str = OnlineRequest.State.PENDING, channel: str = ""):
    """The online queue (受理审核), oldest first: the clock runs from receipt."""
    rows = (
        OnlineRequest.objects.visible_to(user)
        .select_related("ticket")
        .prefetch_related("attachments")
    )
    if state:
        rows = rows.filter(state=state)
    if channel:
        rows = rows.filter(channel=channel)
    return rows.order_by("received_at", "id")


def online_request_get(user, pk: int) -> OnlineRequest | None:
    return (
        OnlineRequest.objects.visible_to(user)
        .select_related("ticket", "merged_into")
        .prefetch_related("attachments")
        .filter(pk=pk)
        .first()
    )


def online_request_by_number(number: str) -> OnlineRequest | None:
    """For the citizen's own look-up (the portal and the channels): by its number."""
    return OnlineRequest.objects.select_related("ticket").filter(number=number).first()


def late_requests(user, *, at: datetime | None = None):
    """Pending requests past their review deadline, for the supervisor board."""
    return (
        OnlineRequest.objects.visible_to(user)
        .filter(state=OnlineRequest.State.PENDING, accept_due__lt=at or clock.now())
        .order_by("accept_due", "id")
    )
