"""回访: the call list, the visit, redo and screening through the page."""

from hotline.tickets.models import Ticket


def test_call_list_oldest_first_and_paginated(client, people, flow, at):
    at(2025, 9, 22, 10)
    first = flow.to("completed")
    at(2025, 9, 23, 10)
    for _i in range(20):
        flow.to("completed")
    at(2025, 9, 24, 10)
    client.force_login(people["visitor1"])
    page = client.get("/visits/")
    assert page.context["total"] == 21 and page.context["page"][0] == first
    assert len(client.get("/visits/", {"page": 2}).context["page"]) == 1


def test_satisfied_visit_closes(client, people, flow):
    ticket = flow.to("completed")
    client.force_login(people["visitor1"])
    panel = client.get("/visits/", {"ticket": ticket.number})
    assert panel.context["ticket"] == ticket and "已协调物业修复电梯" in panel.content.decode()
    response = client.post(
        f"/visits/?ticket={ticket.number}",
        {
            "action": "visit",
            "ticket": ticket.number,
            "channel": "phone",
            "satisfaction": "satisfied",
            "resolved": "1",
        },
        follow=True,
    )
    ticket.refresh_from_db()
    assert ticket.status == "closed" and "msg-success" in response.content.decode()
    assert "ticket" not in response.request["QUERY_STRING"]


def test_missing_satisfaction_keeps_the_note(client, people, flow):
    ticket = flow.to("completed")
    client.force_login(people["visitor1"])
    response = client.post(
        "/visits/",
        {
            "action": "visit",
            "ticket": ticket.number,
            "channel": "phone",
            "resolved": "0",
            "note": "电话未接通两次",
        },
    )
    assert response.status_code == 400 and "电话未接通两次" in response.content.decode()


def test_unsatisfied_then_redo(client, people, flow):
    ticket = flow.to("completed")
    client.force_login(people["visitor1"])
    url = f"/visits/?ticket={ticket.number}"
    data = {
        "action": "visit",
        "ticket": ticket.number,
        "channel": "phone",
        "satisfaction": "unsatisfied",
        "resolved": "0",
    }
    stay = client.post(url, data, follow=True)
    assert stay.context["ticket"] == ticket  # still on the panel to order a redo
    empty = client.post(url, {"action": "redo", "ticket": ticket.number})
    assert empty.status_code == 400 and "请填写重办原因" in empty.content.decode()
    client.post(url, {"action": "redo", "ticket": ticket.number, "redo-reason": "电梯仍未修复"})
    ticket.refresh_from_db()
    assert ticket.status == "handling"


def test_screening_closes(client, people, flow):
    ticket = flow.to("completed")
    client.force_login(people["visitor1"])
    client.post(
        "/visits/",
        {
            "action": "screen",
            "ticket": ticket.number,
            "screen-reason": "诉求超出政策范围，单位已依法答复",
        },
    )
    ticket.refresh_from_db()
    assert ticket.status == "closed" and ticket.screened


def test_a_ticket_not_completed_is_not_in_the_list(client, people, flow):
    ticket = flow.to("handling")
    client.force_login(people["visitor1"])
    assert client.post("/visits/", {"action": "visit", "ticket": ticket.number}).status_code == 404
    assert Ticket.objects.get(pk=ticket.pk).status == "handling"
