"""Dispatch suggestion: units ranked from the catalog, the topic, the place and which unit
finally handled similar tickets after any send-back (R-HM-9, issue 8)."""

import pytest

from hotline.intelligence import unit_suggestions
from hotline.intelligence.routing import Case, History, history_cases, rank
from hotline.intelligence.unit_suggestions import (
    forget_routing_history,
    routing_history,
    suggest_units,
)
from hotline.tickets import services as s
from hotline.tickets.models import UnitRequest
from hotline.tickets.tests.conftest import *  # noqa: F403  (people, units, at)
from hotline.tickets.tests.conftest import Flow

STALLS = ("小区门口流动摊贩占道经营", "每天傍晚新华小区门口流动摊贩占道经营，堵塞道路，垃圾满地。")


def test_the_final_handler_ranks_above_the_unit_that_sent_it_back():
    history = History(
        [
            Case(text=f"{STALLS[0]}{STALLS[1]}", unit_id=2, returned=(1,)),
            Case(text="工地拖欠农民工工资两万余元", unit_id=3),
        ]
    )
    ranked = rank("新华小区门口有流动摊贩占道", history=history, catalog={1: 6.0})
    assert [r.unit_id for r in ranked][:2] == [2, 1]
    assert ranked[0].similar == 1 and "history" in ranked[0].parts
    # Without the send-back the catalog's unit and the handler would be near; with no
    # history the catalog alone decides; with nothing the list is empty.
    assert [r.unit_id for r in rank("摊贩", history=None, catalog={1: 2.0})] == [1]
    assert rank("摊贩", history=History([]), catalog={}) == []


def test_topic_and_place_break_ties():
    history = History(
        [
            Case(text="路灯不亮", unit_id=1, topic_id=7, region_id=20),
            Case(text="路灯不亮", unit_id=2, topic_id=8, region_id=21),
        ]
    )
    assert rank("路灯不亮", history=history, region_id=21)[0].unit_id == 2
    assert rank("路灯不亮", history=history, topic_id=7)[0].unit_id == 1
    assert [r.unit_id for r in rank("路灯", history=history, allowed={2})] == [2]


@pytest.fixture
def flow(people, units):
    return Flow(people, units)


def handled_after_send_back(flow, people):
    """Dispatched to 城管 (its catalog unit), sent back, then handled by 城东街道."""
    ticket = flow.create(summary=STALLS[0], detail=STALLS[1])
    flow.dispatch(ticket, lead="QX-CGJ")
    flow.sign(ticket)
    lead = flow.lead(ticket)
    s.send_back_request(
        actor=flow.clerk(lead), assignment=lead, reason="属街道管理", legal_basis="三定方案"
    )
    request = UnitRequest.objects.get(assignment=lead)
    s.send_back_decide(
        actor=people["dispatcher1"], request=request, approve=True, note="属城管职责"
    )
    ticket.refresh_from_db()
    flow.dispatch(ticket, lead="QX-CD")
    flow.sign(ticket)
    flow.reply(ticket, text="已组织街道城管队员清理摊贩")
    flow.approve_reply(ticket)
    return ticket


def test_history_from_the_city_and_the_suggestion(flow, people, units):
    forget_routing_history()
    text = "新华小区门口流动摊贩占道经营，晚上很吵"
    before = suggest_units(text=text)
    assert before and before[0].unit == units["QX-CGJ"]  # the catalog's 占道经营 item
    handled_after_send_back(flow, people)
    cases = history_cases()
    assert [(c.unit_id, c.returned) for c in cases] == [(units["QX-CD"].pk, (units["QX-CGJ"].pk,))]
    forget_routing_history()  # the index is per process and rebuilt every ten minutes
    after = suggest_units(text=text)
    order = [x.unit.code for x in after]
    assert order[0] == "QX-CD" and order.index("QX-CGJ") > 0
    assert "similar tickets" in after[0].why or "相似" in after[0].why
    assert suggest_units(text="") == []
    forget_routing_history()


def test_intake_suggestions_name_likely_units(client, users):
    forget_routing_history()
    client.force_login(users["operator"])
    body = client.get("/workbench/suggest/", {"summary": "路灯不亮"}).content.decode()
    assert 'data-suggest="units"' in body and "城市管理局" in body
    body = client.get("/workbench/suggest/", {"summary": "你好"}).content.decode()
    assert 'data-suggest="units"' not in body
    forget_routing_history()


def test_a_stale_index_is_rebuilt_in_the_background_not_by_the_request(demo, settings, monkeypatch):
    started = []

    class Thread:
        def __init__(self, target, daemon):
            self.target = target

        def start(self):
            started.append(self.target)

    forget_routing_history()
    first = routing_history()
    settings.HOTLINE_ROUTING_REFRESH_SECONDS = 0
    monkeypatch.setattr(unit_suggestions.threading, "Thread", Thread)
    assert routing_history() is first  # served at once, the old index
    assert routing_history() is first and len(started) == 1  # one rebuild at a time
    forget_routing_history()
