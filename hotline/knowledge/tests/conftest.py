import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from hotline.knowledge import services
from hotline.knowledge.models import Kind

SH = ZoneInfo("Asia/Shanghai")


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
