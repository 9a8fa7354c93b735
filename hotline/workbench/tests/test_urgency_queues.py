"""Urgent tickets first in every queue, an age marker on each row and "派单超时" /
"审核超时" when the hotline's own step is late by the policy; filter by urgency (R-HM-4)."""

import pytest

from hotline.sla.policies import PolicyError
from hotline.sla.policy_json import from_dict, to_dict
from hotline.sla.presets import PRESETS
from hotline.workbench import queues


def test_r_hm_4_urgent_sorts_first_by_its_value():
    assert sorted(["normal", "urgent"], reverse=True)[0] == "urgent"
    assert queues.URGENT_FIRST == "-urgency"


def test_r_hm_4_dispatch_queue_urgent_first_with_age_and_overdue(client, people, flow, at):
    at(2026, 12, 3, 9, 0)
    normal = flow.to("pending_dispatch", summary="路灯不亮")
    at(2026, 12, 3, 9, 20)
    urgent = flow.to("pending_dispatch", summary="自来水管爆裂", urgency="urgent")
    at(2026, 12, 3, 9, 40)
    client.force_login(people["dispatcher1"])
    response = client.get("/dispatch/")
    rows = response.context["rows"]
    assert [r["obj"] for r in rows] == [urgent, normal]
    assert [r["age"].late for r in rows] == [False, False]
    assert "派单超时" not in response.content.decode()
    at(2026, 12, 3, 9, 55)  # urgent: 35 minutes > 0.5 h; normal: 55 minutes < 2 h
    response = client.get("/dispatch/")
    assert [r["age"].late for r in response.context["rows"]] == [True, False]
    body = response.content.decode()
    assert body.count("派单超时") == 1 and "已等 35 分钟" in body
    only = client.get("/dispatch/?urgency=normal").context["rows"]
    assert [r["obj"] for r in only] == [normal]


def test_r_hm_4_review_queue_shows_waiting_time(client, people, flow, at):
    at(2026, 12, 1, 10, 0)
    flow.to("return_review")
    at(2026, 12, 1, 13, 0)
    client.force_login(people["dispatcher1"])
    row = client.get("/dispatch/?tab=send_back").context["rows"][0]
    assert row["age"].text == "3 小时" and not row["age"].late
    at(2026, 12, 2, 11, 0)
    client.force_login(people["dispatcher1"])  # the session idled out overnight
    body = client.get("/dispatch/?tab=send_back").content.decode()
    assert "审核超时" in body and "已等 25 小时" in body


def test_r_hm_4_inbox_and_visits_urgent_first(client, people, flow):
    normal = flow.to("dispatched", summary="噪音扰民")
    urgent = flow.to("dispatched", summary="燃气管道异味", urgency="urgent")
    client.force_login(people["zjj_clerk"])
    rows = client.get("/inbox/").context["rows"]
    assert [r["obj"].ticket for r in rows] == [urgent, normal]
    assert rows[0]["age"] is not None
    assert [r["obj"].ticket for r in client.get("/inbox/?urgency=urgent").context["rows"]] == [
        urgent
    ]
    done_normal = flow.to("completed", summary="井盖缺失")
    done_urgent = flow.to("completed", summary="树木倒伏压住车辆", urgency="urgent")
    client.force_login(people["visitor1"])
    assert list(client.get("/visits/").context["page"]) == [done_urgent, done_normal]


def test_r_hm_4_policy_keeps_its_dispatch_and_review_hours(db):
    data = to_dict(PRESETS["KJ"])
    data["clock"]["urgent_dispatch_hours"] = 1
    policy = from_dict(data)
    assert policy.clock.dispatch_limit_hours("urgent") == 1
    assert policy.clock.dispatch_limit_hours("normal") == 2
    data["clock"]["review_hours"] = 0
    with pytest.raises(PolicyError):
        from_dict(data)


def test_r_hm_4_send_back_queue_lists_urgent_first(people, flow):
    normal = flow.lead(flow.to("return_review", summary="一般事项"))
    urgent = flow.lead(flow.to("return_review", summary="紧急事项", urgency="urgent"))
    listed = [r.assignment for r in queues.visible_requests(people["dispatcher1"], "send_back")]
    assert listed == [urgent, normal]
