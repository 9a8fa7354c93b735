"""A rule that takes the deadline from the dispatch catalog, for a matter without a
catalog item, asks for the deadline (ZS 15, R-HM-9) on the page and in the API instead of
a server error; the dispatcher is told when the rule, not the catalog item, set it."""

import json

import pytest

from hotline.core.errors import DomainError
from hotline.sla.models import PolicyVersion
from hotline.tickets.models import Assignment


def _zs_ticket(flow):
    version = PolicyVersion.objects.filter(policy__code="ZS").latest("number")
    return flow.create(policy_version=version)


def test_zs_15_service_asks_for_the_deadline(flow):
    ticket = _zs_ticket(flow)
    with pytest.raises(DomainError) as refused:
        flow.dispatch(ticket)
    assert refused.value.code == "deadline_required" and "派单目录" in refused.value.message
    ticket.refresh_from_db()
    assert ticket.status == "pending_dispatch" and not Assignment.objects.exists()
    flow.dispatch(ticket, catalog_days=7)
    assert flow.lead(ticket).reply_due is not None


def test_zs_15_page_and_api_say_so(client, people, units, flow):
    ticket = _zs_ticket(flow)
    client.force_login(people["dispatcher1"])
    response = client.post(
        f"/dispatch/?tab=pending&ticket={ticket.number}",
        {
            "action": "dispatch",
            "ticket": ticket.number,
            "lead": units["QX-ZJJ"].pk,
            "mode": "written",
        },
    )
    assert response.status_code == 400 and "请按法定职责填写办理时限" in response.content.decode()
    response = client.post(
        f"/api/tickets/{ticket.number}/dispatch",
        json.dumps({"lead": "QX-ZJJ", "mode": "written"}),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "deadline_required"


def test_r_hm_9_dispatcher_told_the_rule_set_the_deadline(client, people, units, flow):
    ticket = flow.create()  # KJ: its own days, whatever the catalog says
    client.force_login(people["dispatcher1"])
    response = client.post(
        f"/dispatch/?tab=pending&ticket={ticket.number}",
        {
            "action": "dispatch",
            "ticket": ticket.number,
            "lead": units["QX-ZJJ"].pk,
            "mode": "written",
            "catalog_days": 30,
        },
        follow=True,
    )
    body = response.content.decode()
    assert "时限按政策规则" in body and "30 个工作日" in body
