"""The demo city, a browser client with a proved phone, and the tickets' flow helper."""

import re

import pytest

from hotline.notifications.models import Notification

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PHONE = "13900001111"


@pytest.fixture
def flow(demo):
    from hotline.accounts.models import User
    from hotline.directory.models import Unit
    from hotline.tickets.tests.conftest import Flow

    return Flow(
        {u.username: u for u in User.objects.select_related("unit")},
        {u.code: u for u in Unit.objects.all()},
    )


@pytest.fixture
def portal(settings, tmp_path, monkeypatch):
    from captcha.conf import settings as captcha_settings

    monkeypatch.setattr(captcha_settings, "CAPTCHA_TEST_MODE", True)
    settings.MEDIA_ROOT = tmp_path / "media"


def last_code(phone: str) -> str:
    """The code as the SMS gateway would deliver it (the outbox's body)."""
    sms = Notification.objects.filter(address=phone, subject="12345热线验证码").latest("pk")
    return re.search(r"验证码为 (\d{6})", sms.body).group(1)


def prove(client, phone: str = PHONE) -> None:
    response = client.post(
        "/portal/verify/", {"phone": phone, "captcha_0": "x", "captcha_1": "PASSED"}
    )
    assert response.status_code == 200, response.content.decode()
    response = client.post("/portal/verify/?next=mine", {"code": last_code(phone)})
    assert response.status_code == 302


@pytest.fixture
def citizen(client, demo, portal):
    prove(client)
    return client


def submit(client, **kw):
    data = {
        "kind": "complaint",
        "subject": "路灯不亮",
        "body": "青溪路 12 号门口的路灯坏了一个月。",
        "place": "青溪路 12 号",
        "name": "李四",
        "reply_channel": "web",
        "captcha_0": "x",
        "captcha_1": "PASSED",
    }
    data.update(kw)
    return client.post("/portal/submit/", data)
