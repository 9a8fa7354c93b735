"""派单: queues with counts; dispatch, reviews and merge through the page."""

from hotline.sla.models import PolicyVersion
from hotline.tickets import services as s
from hotline.tickets.models import Ticket, UnitRequest


def test_dispatch_to_a_lead_and_a_co_unit(client, people, units, flow):
    ticket = flow.to("pending_dispatch")
    client.force_login(people["dispatcher1"])
    page = client.get("/dispatch/", {"tab": "pending", "ticket": ticket.number})
    assert page.context["ticket"] == ticket and page.context["tabs"][0][2] == 1
    response = client.post(
        f"/dispatch/?tab=pending&ticket={ticket.number}",
        {
            "action": "dispatch",
            "ticket": ticket.number,
            "lead": units["QX-ZJJ"].pk,
            "assists": [units["QX-CD"].pk],
            "mode": "written",
        },
        follow=True,
    )
    ticket.refresh_from_db()
    assert ticket.status == "dispatched"
    assert {a.unit.code for a in ticket.assignments.all()} == {"QX-ZJJ", "QX-CD"}
    body = response.content.decode()
    assert "msg-success" in body and ticket.number in body and "市住房和城乡建设局" in body
    assert "ticket" not in response.request["QUERY_STRING"]


def test_dispatch_refused_keeps_the_input(client, people, units, flow):
    ticket = flow.to("pending_dispatch")
    client.force_login(people["dispatcher1"])
    response = client.post(
        f"/dispatch/?tab=pending&ticket={ticket.number}",
        {
            "action": "dispatch",
            "ticket": ticket.number,
            "lead": units["QX-ZJJ"].pk,
            "mode": "instruction",
            "instruction_days": "3",
        },
    )
    assert response.status_code == 400
    assert "领导批办须录入批示内容" in response.content.decode()
    form = response.context["form"]
    assert form.is_bound and form["lead"].value() == str(units["QX-ZJJ"].pk)
    ticket.refresh_from_db()
    assert ticket.status == "pending_dispatch"


def test_a_community_cannot_be_picked_as_lead(client, people, units, flow):
    ticket = flow.to("pending_dispatch")
    client.force_login(people["dispatcher1"])
    response = client.post(
        "/dispatch/",
        {"action": "dispatch", "ticket": ticket.number, "lead": units["QX-CD-DM"].pk},
    )
    assert response.status_code == 400 and response.context["form"].errors["lead"]


def test_send_back_refused_needs_a_reason_then_approved(client, people, flow):
    ticket = flow.to("return_review")
    request = UnitRequest.objects.get(kind="send_back")
    client.force_login(people["dispatcher1"])
    url = "/dispatch/?tab=send_back"
    refused = client.post(url, {"action": "send_back", "request": request.pk, "decision": "refuse"})
    assert refused.status_code == 400 and "不同意退回时请说明理由" in refused.content.decode()
    ok = client.post(
        url,
        {
            "action": "send_back",
            "request": request.pk,
            "decision": "approve",
            f"r{request.pk}-note": "同意",
        },
        follow=True,
    )
    ticket.refresh_from_db()
    assert ticket.status == "pending_dispatch" and "msg-success" in ok.content.decode()


def test_extension_approved_with_days(client, people, flow):
    version = PolicyVersion.objects.filter(policy__code="LX").latest("number")
    ticket = flow.to("handling", policy_version=version)
    lead = flow.lead(ticket)
    request = s.extension_request(
        actor=flow.clerk(lead), assignment=lead, reason="需现场勘查", days=3
    )
    before = lead.reply_due
    client.force_login(people["dispatcher1"])
    page = client.get("/dispatch/", {"tab": "extension"})
    assert dict((k, n) for k, _label, n in page.context["tabs"])["extension"] == 1
    client.post(
        "/dispatch/?tab=extension",
        {
            "action": "extension",
            "request": request.pk,
            "decision": "approve",
            f"r{request.pk}-days": "2",
        },
    )
    lead.refresh_from_db()
    request.refresh_from_db()
    assert request.decision == "approved" and request.days == 2 and lead.reply_due > before


def test_completion_approved_and_refused(client, people, flow):
    first, second = flow.to("replied"), flow.to("replied")
    client.force_login(people["dispatcher1"])
    page = client.get("/dispatch/", {"tab": "completion"})
    assert "已协调物业修复电梯" in page.content.decode()
    url = "/dispatch/?tab=completion"
    client.post(url, {"action": "completion", "ticket": first.number, "decision": "approve"})
    no_reason = client.post(
        url, {"action": "completion", "ticket": second.number, "decision": "refuse"}
    )
    assert no_reason.status_code == 400
    client.post(
        url,
        {
            "action": "completion",
            "ticket": second.number,
            "decision": "refuse",
            f"t{second.pk}-note": "未答复全部诉求",
        },
    )
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == "completed" and second.status == "handling"


def test_merge_a_duplicate(client, people, flow):
    keep, duplicate = flow.to("handling"), flow.to("pending_dispatch")
    client.force_login(people["dispatcher1"])
    url = f"/dispatch/?ticket={duplicate.number}"
    bad = client.post(
        url, {"action": "merge", "ticket": duplicate.number, "merge-into": duplicate.number}
    )
    assert bad.status_code == 400 and "不能与自身合并" in bad.content.decode()
    assert bad.context["merge_form"]["into"].value() == duplicate.number
    client.post(url, {"action": "merge", "ticket": duplicate.number, "merge-into": keep.number})
    duplicate.refresh_from_db()
    assert duplicate.status == "merged" and duplicate.merged_into == keep


def test_pending_queue_is_paginated_oldest_first(client, people, flow):
    made = [flow.create(summary=f"路灯不亮 {i}") for i in range(23)]
    client.force_login(people["dispatcher1"])
    first = client.get("/dispatch/")
    assert len(first.context["rows"]) == 20 and first.context["rows"][0]["obj"] == made[0]
    second = client.get("/dispatch/", {"page": 2})
    assert len(second.context["rows"]) == 3
    assert Ticket.objects.filter(status="pending_dispatch").count() == 23
