"""How each channel delivers. A sender raises DeliveryError with a short reason, in the
hotline's language (`deliver_due` renders it so): the delivery log shows it as it is."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

from django.conf import settings
from django.core.mail import send_mail
from django.utils.translation import gettext as _

from hotline.notifications.models import Notification, NotificationChannel


class DeliveryError(Exception):
    """This attempt failed (a gateway down or refusing): the message is tried again later."""


class Undeliverable(DeliveryError):
    """No attempt can succeed as things are set up: no gateway or account configured for
    the channel, no address to send to. The message is marked failed at once (the
    delivery log shows why) rather than retried every few minutes for an hour."""


def idempotency_key(note: Notification) -> str:
    """Sent with every message: a message sent again after a crash (delivery is at least
    once, services.deliver_due) carries the same key, so the gateway can drop it."""
    return f"notification-{note.pk}"


def send_inbox(note: Notification) -> None:
    if note.recipient_id is None:
        raise Undeliverable(_("inbox message without a recipient"))


def send_email(note: Notification) -> None:
    if not note.address:
        raise Undeliverable(_("no e-mail address"))
    try:
        send_mail(
            note.subject,
            note.body,
            settings.DEFAULT_FROM_EMAIL,
            [note.address],
            fail_silently=False,
        )
    except Exception as exc:  # smtplib and socket errors alike
        raise DeliveryError(_("SMTP: %(error)s") % {"error": exc}) from None


def send_sms(note: Notification) -> None:
    """POST {"phone", "text"} as JSON to the SMS gateway; any 2xx counts as accepted."""
    url = settings.HOTLINE_SMS_URL
    if not url:
        raise Undeliverable(_("no SMS gateway configured (HOTLINE_SMS_URL)"))
    if not note.address:
        raise Undeliverable(_("no phone number"))
    payload = json.dumps({"phone": note.address, "text": note.body}).encode()
    request = urllib.request.Request(
        url,
        data=payload,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "Authorization": f"Bearer {settings.HOTLINE_SMS_KEY}",
            "Idempotency-Key": idempotency_key(note),
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            if not 200 <= response.status < 300:
                raise DeliveryError(
                    _("SMS gateway answered %(status)s") % {"status": response.status}
                )
    except urllib.error.HTTPError as exc:
        raise DeliveryError(_("SMS gateway answered %(status)s") % {"status": exc.code}) from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise DeliveryError(_("SMS gateway unreachable: %(error)s") % {"error": exc}) from None


_wechat_clients: dict[tuple[str, str], object] = {}


def _wechat_client():
    """One wechatpy client per (app id, API base): it keeps its access token between sends."""
    from wechatpy import WeChatClient

    base = settings.HOTLINE_WECHAT_API_BASE.rstrip("/") + "/"
    key = (settings.HOTLINE_WECHAT_APPID, base)
    if key not in _wechat_clients:

        class Client(WeChatClient):
            API_BASE_URL = base

            def fetch_access_token(self):
                return self._fetch_access_token(
                    url=f"{base}token",
                    params={
                        "grant_type": "client_credential",
                        "appid": self.appid,
                        "secret": self.secret,
                    },
                )

        _wechat_clients[key] = Client(
            settings.HOTLINE_WECHAT_APPID, settings.HOTLINE_WECHAT_SECRET, timeout=10
        )
    return _wechat_clients[key]


def send_wechat(note: Notification) -> None:
    """A template message to a follower of the official account (address: the openid)."""
    from wechatpy.exceptions import WeChatException

    if not (settings.HOTLINE_WECHAT_APPID and settings.HOTLINE_WECHAT_TEMPLATE_ID):
        raise Undeliverable(_("no WeChat account configured (HOTLINE_WECHAT_APPID)"))
    if not note.address:
        raise Undeliverable(_("no WeChat user"))
    data = {"first": {"value": note.subject}, "remark": {"value": note.body}}
    try:
        _wechat_client().message.send_template(
            note.address, settings.HOTLINE_WECHAT_TEMPLATE_ID, data
        )
    except WeChatException as exc:
        raise DeliveryError(_("WeChat: %(error)s") % {"error": exc}) from None
    except OSError as exc:
        raise DeliveryError(_("WeChat unreachable: %(error)s") % {"error": exc}) from None


SENDERS = {
    NotificationChannel.INBOX: send_inbox,
    NotificationChannel.EMAIL: send_email,
    NotificationChannel.SMS: send_sms,
    NotificationChannel.WECHAT: send_wechat,
}
