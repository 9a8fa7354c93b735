"""The mayor's mailbox over a real IMAP server (dovecot) and real SMTP (aiosmtpd):
each mail one online request, once per Message-ID across restarts (R-IN-1)."""

from email.message import EmailMessage

import pytest

from hotline.channels import mailbox as mail
from hotline.channels.models import OnlineRequest
from hotline.channels.tests.conftest import PNG
from hotline.notifications.services import deliver_due

pytestmark = pytest.mark.django_db


def _mail(message_id, subject, *, sender="张三 <zhang@example.org>", text=None, html=None):
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = sender, "mayor@hotline.example", subject
    if message_id:
        msg["Message-ID"] = message_id
    if text is not None:
        msg.set_content(text)
    if html is not None:
        if text is None:
            msg.set_content(html, subtype="html")
        else:
            msg.add_alternative(html, subtype="html")
    return msg


def _append(box, msg) -> None:
    box.append(msg.as_bytes() if hasattr(msg, "as_bytes") else msg, "INBOX")


def _folder(box, name):
    box.folder.set(name)
    subjects = [m.subject for m in box.fetch(mark_seen=False)]
    box.folder.set("INBOX")
    return subjects


def test_three_mails_two_requests_across_a_restart_senders_answered(
    demo, mailbox, smtp, settings, tmp_path, monkeypatch
):
    """Plain, HTML-only with an attachment, and a duplicate Message-ID: two requests; the
    poller stopped between storing and moving loses and doubles nothing."""
    settings.MEDIA_ROOT = tmp_path / "media"
    plain = _mail("<plain-1@example.org>", "路灯不亮", text="青溪路 12 号路灯坏了一个月。")
    rich = _mail(
        "<html-2@example.org>",
        "噪音扰民",
        sender="李四 <li@example.org>",
        html="<html><head><style>p{color:red}</style></head><body><p>工地&nbsp;夜间施工</p>"
        "<p>每天到<b>凌晨两点</b></p><script>alert(1)</script></body></html>",
    )
    rich.add_attachment(PNG, maintype="image", subtype="png", filename="现场.png")
    duplicate = _mail("<plain-1@example.org>", "路灯不亮（重发）", text="再发一次。")
    for msg in (plain, rich, duplicate):
        _append(mailbox, msg)

    # First pass: the poller dies after storing the first mail, before moving it.
    class Killed(BaseException):
        pass

    def die(self, *args, **kwargs):
        raise Killed

    monkeypatch.setattr(mail.MailBoxUnencrypted, "move", die)
    with pytest.raises(Killed):
        mail.poll()
    assert OnlineRequest.objects.count() == 1
    assert len(_folder(mailbox, "INBOX")) == 3  # nothing was moved
    monkeypatch.undo()

    # Restarted poller: everything is read, nothing is doubled.
    counts = mail.poll()
    assert counts == {"new": 1, "again": 2, "failed": 0}
    assert mail.poll() == {"new": 0, "again": 0, "failed": 0}
    assert _folder(mailbox, "INBOX") == []
    assert sorted(_folder(mailbox, "Processed")) == sorted(
        ["路灯不亮", "噪音扰民", "路灯不亮（重发）"]
    )

    first, second = OnlineRequest.objects.order_by("pk")
    assert (first.channel, first.external_id, first.email, first.name) == (
        "mailbox",
        "<plain-1@example.org>",
        "zhang@example.org",
        "张三",
    )
    assert first.body == "青溪路 12 号路灯坏了一个月。" and first.reply_channel == "email"
    assert second.body == "工地 夜间施工\n每天到凌晨两点"
    assert [a.name for a in second.attachments.all()] == ["现场.png"]

    assert deliver_due()["sent"] == 2
    answered = {m.rcpt_tos[0]: m.content.decode() for m in smtp.messages}
    assert set(answered) == {"zhang@example.org", "li@example.org"}
    import email as email_lib

    body = email_lib.message_from_string(answered["zhang@example.org"]).get_payload(decode=True)
    assert first.number in body.decode()


def test_bad_parts_are_dropped_and_the_mail_kept(demo, mailbox, settings, tmp_path):
    """A virus-like type, a 30 MB attachment, malformed MIME: the request stays, the parts
    go, the reasons are kept."""
    settings.MEDIA_ROOT = tmp_path / "media"
    msg = _mail("<bad-3@example.org>", "井盖缺失", text="人民路井盖丢了。")
    msg.add_attachment(
        b"MZ\x90\x00" * 100, maintype="application", subtype="octet-stream", filename="照片.exe"
    )
    msg.add_attachment(
        b"%PDF" + b"0" * (30 * 1024 * 1024),
        maintype="application",
        subtype="pdf",
        filename="big.pdf",
    )
    msg.add_attachment(PNG, maintype="image", subtype="png", filename="ok.png")
    _append(mailbox, msg)
    broken = (
        b"From: wang@example.org\r\nSubject: broken\r\nMessage-ID: <broken-4@example.org>\r\n"
        b'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="XYZ"\r\n\r\n'
        b"no boundary ever starts here\r\n"
    )
    _append(mailbox, broken)
    assert mail.poll() == {"new": 2, "again": 0, "failed": 0}
    big, bad = OnlineRequest.objects.order_by("pk")
    assert [a.name for a in big.attachments.all()] == ["ok.png"]
    reasons = {d["name"]: d["reason"] for d in big.dropped}
    assert "不支持的附件类型" in reasons["照片.exe"] and "大小限制" in reasons["big.pdf"]
    assert bad.email == "wang@example.org"
    assert any(d["name"] == "MIME" for d in bad.dropped)


def test_mail_without_sender_goes_to_the_failed_folder(demo, mailbox):
    _append(mailbox, b"Subject: nobody\r\nMessage-ID: <x-5@example.org>\r\n\r\nhello\r\n")
    assert mail.poll() == {"new": 0, "again": 0, "failed": 1}
    assert _folder(mailbox, "Unprocessed") == ["nobody"]
    assert not OnlineRequest.objects.exists()


def test_closed_mailbox_is_not_read(demo, mailbox, users):
    from hotline.channels.services import channel_configure

    channel_configure(actor=users["admin"], channel="mailbox", open=False)
    _append(mailbox, _mail("<c-6@example.org>", "关闭时", text="内容"))
    assert mail.poll() == {"closed": 1}
    assert _folder(mailbox, "INBOX") == ["关闭时"]


def test_html_to_text_keeps_lines_and_drops_scripts():
    assert mail.html_to_text("<p>a&amp;b</p><br>c<script>x()</script>") == "a&b\nc"


def test_poll_command_reads_the_mailbox_and_says_so(demo, mailbox, settings, capsys):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    _append(mailbox, _mail("<cmd-7@example.org>", "命令行", text="内容"))
    call_command("channels", "poll")
    assert "1 new" in capsys.readouterr().out
    settings.HOTLINE_MAILBOX_HOST = ""
    with pytest.raises(CommandError, match="HOTLINE_MAILBOX_HOST"):
        call_command("channels", "poll")
    settings.HOTLINE_MAILBOX_HOST, settings.HOTLINE_MAILBOX_PASSWORD = "127.0.0.1", "wrong"
    with pytest.raises(CommandError, match=r"mailbox 127\.0\.0\.1"):
        call_command("channels", "poll")


def test_the_tick_reads_the_mailbox(demo, mailbox):
    from hotline.site.tick import run_once

    _append(mailbox, _mail("<tick-8@example.org>", "由后台读取", text="内容"))
    assert run_once()["mailbox"] == {"new": 1, "again": 0, "failed": 0}
    assert OnlineRequest.objects.get().subject == "由后台读取"
