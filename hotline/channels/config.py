"""Channel settings (R-IN-1: which channels are open; WeChat's message security) and the
account the channels act as. Writes as services (design rule 1)."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from hotline.accounts.permissions import Capability, require
from hotline.channels import text
from hotline.channels.models import ChannelConfig, MessageSecurity
from hotline.core import clock
from hotline.core.errors import DomainError
from hotline.core.models import audit
from hotline.tickets.models import TicketChannel

ROBOT = "channels-robot"


def channel_robot():
    """The account the channels act as when a citizen records something themselves (a
    visit answered by SMS): a visitor without a password, named in the event log."""
    from hotline.accounts.models import Role, User

    robot, made = User.objects.get_or_create(
        username=ROBOT,
        defaults={"role": Role.VISITOR, "full_name": _("Channels (automatic)"), "is_active": True},
    )
    if made:
        robot.set_unusable_password()
        robot.save(update_fields=["password"])
    return robot


def _check_aes_key(key: str) -> str:
    """WeChat's EncodingAESKey: 43 characters of base64 that decode to 32 bytes."""
    import base64
    import binascii

    key = key.strip()
    try:
        ok = len(key) == 43 and len(base64.b64decode(key + "=", validate=True)) == 32
    except (binascii.Error, ValueError):
        ok = False
    if not ok:
        raise DomainError(
            _("The EncodingAESKey must be the 43 characters made by the WeChat platform"),
            code="invalid_aes_key",
        )
    return key


def channel_configure(
    *,
    actor,
    channel: str,
    open: bool,
    closed_message: str = "",
    message_security: str | None = None,
    aes_key: str | None = None,
) -> ChannelConfig:
    """Open or close a channel (R-IN-1: the set of open channels is configuration); for
    WeChat also its message security (plain / compatible / safe) and EncodingAESKey. A
    None keeps what is set (an empty key field on the page keeps the stored key)."""
    require(actor, Capability.MANAGE)
    if channel not in TicketChannel.values:
        raise DomainError(_("Unknown channel"), code="invalid_channel")
    closed_message = text.clean(closed_message, label=_("message when closed"), max_length=200)
    if message_security is not None and message_security not in MessageSecurity.values:
        raise DomainError(_("Unknown message security"), code="invalid_security")
    if aes_key:
        aes_key = _check_aes_key(aes_key)
    with transaction.atomic():
        config, _made = ChannelConfig.objects.select_for_update().get_or_create(channel=channel)
        config.open, config.closed_message = bool(open), closed_message
        if message_security is not None:
            config.message_security = message_security
        if aes_key:
            config.aes_key = aes_key
        if config.message_security != MessageSecurity.PLAIN:
            if channel != TicketChannel.WECHAT:
                raise DomainError(
                    _("Only the WeChat channel has message security"), code="invalid_security"
                )
            if not config.aes_key:
                raise DomainError(
                    _("Compatible and safe modes need the EncodingAESKey"), code="no_aes_key"
                )
        config.updated_by, config.updated_at = actor, clock.now()
        config.save()
        audit(
            kind="channel_configured",
            actor=actor,
            object_type="channel",
            object_id=channel,
            open=config.open,
            message_security=config.message_security,
        )
    return config
