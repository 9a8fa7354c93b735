"""The mayor's mailbox (市长信箱) over IMAP (R-IN-1).

`poll()` reads the configured folder one message at a time, stores each as an online
request keyed by its Message-ID (a mail without one: the SHA-256 of its bytes), and only
then moves it to the processed folder. A poller stopped between the two finds the mail
again on its next pass and `online_request_create` returns the request already stored, so
each mail is one request across restarts. A mail that cannot become a request (no sender
address) goes to the failed folder with the reason logged; nothing stays to loop forever.

Bad parts are dropped, the request kept, the reason recorded (`OnlineRequest.dropped`):
types the tickets' attachment rules refuse (an .exe, a .js), parts over the size limit,
parts whose content cannot be decoded, and the parser's MIME defects.
"""

from __future__ import annotations

import hashlib
import html
import logging
import re
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils.html import strip_tags
from django.utils.translation import gettext as _
from imap_tools import MailBox, MailBoxUnencrypted, MailMessage

from hotline.channels import services, text
from hotline.channels.selectors import channel_is_open
from hotline.core.errors import DomainError
from hotline.tickets.models import TicketChannel

log = logging.getLogger(__name__)
BODY_MAX = 20000


@dataclass(frozen=True)
class MailboxSettings:
    host: str
    port: int
    user: str
    password: str
    ssl: bool = True
    folder: str = "INBOX"
    done_folder: str = "Processed"
    failed_folder: str = "Unprocessed"

    @classmethod
    def from_settings(cls) -> MailboxSettings | None:
        if not settings.HOTLINE_MAILBOX_HOST:
            return None
        return cls(
            host=settings.HOTLINE_MAILBOX_HOST,
            port=settings.HOTLINE_MAILBOX_PORT,
            user=settings.HOTLINE_MAILBOX_USER,
            password=settings.HOTLINE_MAILBOX_PASSWORD,
            ssl=settings.HOTLINE_MAILBOX_SSL,
            folder=settings.HOTLINE_MAILBOX_FOLDER,
            done_folder=settings.HOTLINE_MAILBOX_DONE_FOLDER,
            failed_folder=settings.HOTLINE_MAILBOX_FAILED_FOLDER,
        )


_BREAKS = re.compile(r"(?i)<\s*(br|/p|/div|/li|/tr|/h[1-6])\b[^>]*>")
_HIDDEN = re.compile(r"(?is)<(script|style|head)\b.*?</\1\s*>")


def html_to_text(markup: str) -> str:
    """The readable text of an HTML-only mail: scripts and styles gone, lines kept."""
    markup = _HIDDEN.sub("", markup)
    markup = _BREAKS.sub("\n", markup)
    plain = html.unescape(strip_tags(markup))
    lines = [" ".join(line.split()) for line in plain.splitlines()]
    return "\n".join(line for line in lines if line).strip()


def _message_key(msg: MailMessage) -> str:
    message_id = " ".join(msg.headers.get("message-id", ("",))[0].split())
    if message_id:
        return message_id[:250]
    return "sha256:" + hashlib.sha256(msg.obj.as_bytes()).hexdigest()


def _parts(msg: MailMessage) -> tuple[list[ContentFile], list[dict]]:
    files: list[ContentFile] = []
    dropped: list[dict] = []
    for defect in getattr(msg.obj, "defects", []):
        dropped.append(
            {
                "name": "MIME",
                "reason": _("The mail's structure is broken (%(defect)s)")
                % {"defect": type(defect).__name__},
            }
        )
    limit = settings.HOTLINE_UPLOAD_MAX_BYTES
    for index, att in enumerate(msg.attachments, start=1):
        name = text.scrub(att.filename or _("attachment %(index)s") % {"index": index})
        try:
            payload = att.payload
        except Exception as exc:  # a part the decoder cannot read: drop it, keep the mail
            dropped.append(
                {
                    "name": name,
                    "reason": _("The attachment could not be decoded (%(error)s)")
                    % {"error": type(exc).__name__},
                }
            )
            continue
        if len(payload) > limit:
            dropped.append(
                {
                    "name": name,
                    "reason": _("The attachment is larger than the %(limit)s MB limit")
                    % {"limit": limit // (1024 * 1024)},
                }
            )
            continue
        files.append(ContentFile(payload, name=name))
    return files, dropped


def mail_to_request(msg: MailMessage):
    """One mail → one online request (or the one already stored for its Message-ID)."""
    body = text.scrub(msg.text or "").strip() or html_to_text(text.scrub(msg.html or ""))
    subject = " ".join(text.scrub(msg.subject or "").split())
    files, dropped = _parts(msg)
    if len(subject) > 200:
        body, subject = f"{subject}\n\n{body}", subject[:200]
    if len(body) > BODY_MAX:
        reason = _("The text is longer than %(limit)s characters; the rest was not kept")
        dropped.append({"name": _("body"), "reason": reason % {"limit": BODY_MAX}})
        body = body[:BODY_MAX]
    sender = msg.from_values
    return services.online_request_create(
        channel=TicketChannel.MAILBOX,
        external_id=_message_key(msg),
        subject=subject,
        body=body or _("(the mail has no text)"),
        name=text.scrub(sender.name if sender else "")[:50],
        email=sender.email if sender else "",
        reply_channel="email",
        files=files,
        dropped=dropped,
    )


def _connect(config: MailboxSettings):
    box = MailBox if config.ssl else MailBoxUnencrypted
    return box(config.host, config.port).login(config.user, config.password, config.folder)


def _ensure_folder(mailbox, name: str) -> None:
    if not mailbox.folder.exists(name):
        mailbox.folder.create(name)


def poll(config: MailboxSettings | None = None, *, limit: int = 100) -> dict[str, int]:
    """One pass over the mailbox; returns counts for the tick's log."""
    config = config or MailboxSettings.from_settings()
    counts = {"new": 0, "again": 0, "failed": 0}
    if config is None:
        return {"unconfigured": 1}
    if not channel_is_open(TicketChannel.MAILBOX):
        return {"closed": 1}
    with _connect(config) as mailbox:
        _ensure_folder(mailbox, config.done_folder)
        _ensure_folder(mailbox, config.failed_folder)
        # One message at a time (bulk=False): a large mail is never held with others.
        for msg in mailbox.fetch(limit=limit, mark_seen=False, bulk=False):
            try:
                request = mail_to_request(msg)
            except DomainError as exc:
                log.warning("mail %s not stored: %s", msg.uid, exc.message)
                mailbox.move(msg.uid, config.failed_folder)
                counts["failed"] += 1
                continue
            counts["new" if request.was_created else "again"] += 1
            mailbox.move(msg.uid, config.done_folder)
    return counts


def poll_job() -> dict[str, int]:
    """The tick's job: a mailbox that cannot be reached is logged, not raised."""
    try:
        return poll()
    except OSError as exc:
        log.warning("mailbox unreachable: %s", exc)
        return {"unreachable": 1}
