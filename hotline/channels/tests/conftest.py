"""The demo city and a few online requests for the channels' tests."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from hotline.channels import services

SH = ZoneInfo("Asia/Shanghai")
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def operator(users):
    return users["operator"]


@pytest.fixture
def at():
    """Travel to a Shanghai wall-clock moment: at(2025, 9, 26, 10)."""
    travellers = []

    def go(*args):
        if travellers:
            travellers.pop().stop()
        traveller = time_machine.travel(dt.datetime(*args, tzinfo=SH), tick=False)
        traveller.start()
        travellers.append(traveller)

    yield go
    for traveller in travellers:
        traveller.stop()


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
