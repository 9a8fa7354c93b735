import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from hotline.accounts.models import User
from hotline.directory.models import Unit
from hotline.knowledge import services
from hotline.knowledge.models import Kind

SH = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def people(demo):
    return {u.username: u for u in User.objects.select_related("unit")}


@pytest.fixture
def units(demo):
    return {u.code: u for u in Unit.objects.all()}


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


def content(**kw) -> services.Content:
    values = {
        "title": "住房公积金提取条件",
        "answer": "职工购买自住住房的，可以提取住房公积金，携带身份证到市民中心公积金窗口办理。",
        "keywords": "公积金、提取",
        "effective": dt.date(2025, 1, 1),
    }
    values.update(kw)
    return services.Content(**values)


@pytest.fixture
def publish(people, units):
    """Draft, submit and approve an entry as the unit and the hotline would."""

    def make(kind=Kind.QA, owner="QX-ZJJ", by="zjj_clerk", **kw):
        entry = services.entry_create(
            actor=people[by], kind=kind, owner=units[owner], content=content(**kw), submit=True
        )
        return services.entry_approve(actor=people["supervisor1"], entry=entry)

    return make
