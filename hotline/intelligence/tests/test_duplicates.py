"""Near-duplicate tickets for merging (并单) and repeats (R-IN-4, issue 8)."""

from datetime import timedelta

import pytest

from hotline.core import clock
from hotline.intelligence import duplicates as d
from hotline.intelligence.models import TicketSignature
from hotline.intelligence.selectors import similar_tickets
from hotline.site.tick import run_once
from hotline.tickets import services as s
from hotline.tickets.tests.conftest import *  # noqa: F403  (people, units, at)
from hotline.tickets.tests.conftest import Flow

ORIGINAL = (
    "江滨路桂花小区3栋电梯频繁故障",
    "我住在江滨路桂花小区3栋，电梯这个月已经坏了四次，物业维修一直拖延，"
    "楼里老人上下楼非常困难，请相关部门督促物业尽快修好。",
)
# The same matter from another caller: words changed, a sentence added, one left out.
VARIANT = (
    "桂花小区3栋电梯经常坏",
    "江滨路桂花小区3栋的电梯这个月已经坏了四次了，物业维修一直拖延，"
    "楼里老人上下楼非常困难，希望尽快修好。",
)
UNRELATED = (
    "工地拖欠农民工工资",
    "我在开发区某工地做了三个月，老板一直拖欠工资两万余元，多次讨要无果，请求帮助讨薪。",
)


def text(pair):
    return f"{pair[0]} {pair[1]}"


def test_signatures_are_deterministic_and_find_near_duplicates():
    a, b, c = text(ORIGINAL), text(VARIANT), text(UNRELATED)
    assert d.band_keys(a) == d.band_keys(a) and len(d.band_keys(a)) == d.BANDS
    assert d.jaccard(d.shingles(a), d.shingles(b)) > 0.5
    assert d.jaccard(d.shingles(a), d.shingles(c)) < 0.1
    assert set(d.band_keys(a)) & set(d.band_keys(b))  # they meet in the index
    assert not set(d.band_keys(a)) & set(d.band_keys(c))
    # Full-width letters, case, blanks and punctuation do not matter.
    assert d.band_keys("ＡＢＣ小区，电梯 坏了！") == d.band_keys("abc小区电梯坏了")
    assert d.band_keys("，。！") == [] and d.shingles("") == frozenset()


@pytest.fixture
def flow(people, units):
    return Flow(people, units)


def make(flow, pair, **kw):
    return flow.create(summary=pair[0], detail=pair[1], **kw)


def test_a_planted_duplicate_is_found_and_an_unrelated_text_is_not(flow, people):
    original = make(flow, ORIGINAL)
    make(flow, UNRELATED, phone="13900002222")
    # Nothing indexed yet: the lookup indexes what is missing first.
    assert not TicketSignature.objects.exists()
    found = similar_tickets(text(VARIANT), user=people["operator1"])
    assert [x.ticket for x in found] == [original]
    assert 0.5 < found[0].similarity < 1
    assert TicketSignature.objects.count() == 2 * d.BANDS
    assert similar_tickets("市人民医院专家号总是挂不上，希望改进", user=people["operator1"]) == []
    assert similar_tickets("", user=people["operator1"]) == []
    # The ticket itself is left out when asked (the dispatcher's view of it).
    assert similar_tickets(text(ORIGINAL), user=people["operator1"], exclude=original) == []


def test_indexing_is_incremental_and_idempotent(flow):
    make(flow, ORIGINAL)
    assert d.index_pending() == {"indexed": 1, "healed": 0}
    assert d.index_pending() == {"indexed": 0, "healed": 0}
    t = make(flow, UNRELATED)
    make(flow, VARIANT)
    assert d.index_pending() == {"indexed": 2, "healed": 0}
    # A ticket committed out of id order (its rows missing below the highest id) is healed.
    TicketSignature.objects.filter(ticket=t).delete()
    assert d.index_pending(heal_days=0) == {"indexed": 0, "healed": 0}
    assert not TicketSignature.objects.filter(ticket=t).exists()
    assert d.index_pending() == {"indexed": 0, "healed": 1}
    assert TicketSignature.objects.count() == 3 * d.BANDS
    assert run_once()["duplicates"] == {"indexed": 0, "healed": 0}  # a job of the tick loop


def test_only_tickets_the_user_may_see(flow, people):
    original = make(flow, ORIGINAL)
    flow.dispatch(original, lead="QX-CGJ")
    assert similar_tickets(text(VARIANT), user=people["zjj_clerk"]) == []
    assert [x.ticket for x in similar_tickets(text(VARIANT), user=people["cgj_clerk"])] == [
        original
    ]


def test_area_restriction(flow, people, units):
    original = make(flow, ORIGINAL, region=units["QX-JB"])
    user = people["operator1"]
    assert [x.ticket for x in similar_tickets(text(VARIANT), user=user, area=units["QX-JB"])] == [
        original
    ]
    assert similar_tickets(text(VARIANT), user=user, area=units["QX-CX"]) == []
    assert len(similar_tickets(text(VARIANT), user=user, area=units["QX"].pk)) == 1  # above it


def test_old_merged_and_declined_tickets_are_left_out(flow, people, at):
    at(2025, 3, 1, 10)
    make(flow, ORIGINAL)  # more than 90 days before the lookup
    at(2025, 9, 1, 10)
    assert similar_tickets(text(VARIANT), user=people["operator1"]) == []
    assert len(similar_tickets(text(VARIANT), user=people["operator1"], days=365)) == 1
    first = make(flow, ORIGINAL)
    second = make(flow, VARIANT, phone="13900003333")
    s.ticket_merge(actor=people["dispatcher1"], ticket=second, into=first)
    found = similar_tickets(text(VARIANT), user=people["operator1"])
    assert [x.ticket for x in found] == [first]
    assert clock.now() - found[0].ticket.received_at < timedelta(days=1)


def test_intake_shows_possible_duplicates(client, flow, people):
    original = make(flow, ORIGINAL)
    client.force_login(people["operator1"])
    page = client.get("/intake/").content.decode()
    assert "/workbench/intake/duplicates/" in page
    url = "/workbench/intake/duplicates/"
    body = client.get(url, {"summary": VARIANT[0], "detail": VARIANT[1]}).content.decode()
    assert original.number in body and 'data-warning="duplicates"' in body
    assert f'"#id_related_to": "{original.number}"' in body  # decline as a repeat of it
    body = client.get(url, {"summary": UNRELATED[0], "detail": ""}).content.decode()
    assert original.number not in body and 'data-warning="duplicates"' not in body
    assert client.get(url).status_code == 200  # nothing typed, empty index: still works
    client.force_login(people["zjj_clerk"])
    assert client.get(url, {"summary": VARIANT[0]}).status_code == 403


def test_dispatcher_sees_duplicates_of_a_pending_ticket(client, flow, people):
    original = make(flow, ORIGINAL)
    again = make(flow, VARIANT, phone="13900004444")
    client.force_login(people["dispatcher1"])
    body = client.get("/workbench/intake/duplicates/", {"ticket": again.number}).content.decode()
    assert original.number in body and f'name="merge-into" value="{original.number}"' in body
    assert f'data-duplicate="{again.number}"' not in body
