"""The demo city and a few online requests for the channels' tests."""

from zoneinfo import ZoneInfo

import pytest

from hotline.channels import services

SH = ZoneInfo("Asia/Shanghai")
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def operator(users):
    return users["operator"]


@pytest.fixture
def make_request(demo, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"

    def make(**kw):
        args = {
            "channel": "mailbox",
            "subject": "小区门口路灯不亮",
            "body": "青溪路 12 号门口的路灯坏了一个月，晚上很黑。",
            "email": "zhang@example.org",
            "name": "张三",
        }
        args.update(kw)
        return services.online_request_create(**args)

    return make


@pytest.fixture(scope="session")
def dovecot():
    """A real IMAP server (dovecot-imapd) for the session; each test empties its mailbox."""
    import shutil as _shutil

    from hotline.channels.tests.servers import start_dovecot

    server = start_dovecot()
    yield server
    server.stop()
    _shutil.rmtree(server.root, ignore_errors=True)


@pytest.fixture
def mailbox(dovecot, settings):
    """The dovecot mailbox, emptied, configured as the mayor's mailbox."""
    from imap_tools import MailBoxUnencrypted

    settings.HOTLINE_MAILBOX_HOST = "127.0.0.1"
    settings.HOTLINE_MAILBOX_PORT = dovecot.port
    settings.HOTLINE_MAILBOX_USER = dovecot.user
    settings.HOTLINE_MAILBOX_PASSWORD = dovecot.password
    settings.HOTLINE_MAILBOX_SSL = False
    box = MailBoxUnencrypted("127.0.0.1", dovecot.port).login(dovecot.user, dovecot.password)
    for folder in box.folder.list():
        box.folder.set(folder.name)
        box.delete(box.uids())
    box.folder.set("INBOX")
    yield box
    box.logout()


@pytest.fixture
def smtp(settings):
    """A real SMTP server (aiosmtpd) that Django's SMTP backend delivers to."""
    from hotline.channels.tests.servers import start_smtp

    controller, inbox = start_smtp()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_USE_TLS = False
    yield inbox
    controller.stop()


@pytest.fixture
def flow(demo):
    """The tickets' happy-path helper (each step one service call)."""
    from hotline.accounts.models import User
    from hotline.directory.models import Unit
    from hotline.tickets.tests.conftest import Flow

    return Flow(
        {u.username: u for u in User.objects.select_related("unit")},
        {u.code: u for u in Unit.objects.all()},
    )
