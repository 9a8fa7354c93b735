"""受理: one form per call; errors keep the input; history and suggestions as partials."""

from hotline.tickets.models import AbuseRecord, Ticket
from hotline.tickets.services import abuse_record

CALL = {
    "phone": "13900002222",
    "name": "李四",
    "channel": "phone",
    "kind": "complaint",
    "summary": "小区电梯长期停运",
    "detail": "电梯停运两周，物业不修",
    "address": "城东街道幸福小区3栋",
    "urgency": "normal",
    "handling": "dispatch",
}


def call(**changes):
    """CALL with the topic (诉求分类) the form requires: the demo's 城乡建设 > 住房 > 物业管理."""
    from hotline.directory.models import Topic

    return {"topic": Topic.objects.get(code="010101").pk, **CALL, **changes}


def test_operator_saves_a_ticket_for_dispatch_and_gets_a_fresh_form(client, people):
    client.force_login(people["operator1"])
    response = client.post("/intake/", call(), follow=True)
    ticket = Ticket.objects.get(citizen__phone="13900002222")
    assert ticket.status == "pending_dispatch" and ticket.operator == people["operator1"]
    body = response.content.decode()
    assert ticket.number in body and "msg-success" in body
    assert response.context["clear_draft"] is True
    assert not response.context["form"].is_bound


def test_answer_now_completes_at_once(client, people):
    client.force_login(people["operator1"])
    data = call(**{"kind": "consult", "handling": "answer_now", "answer": "公积金可网上提取"})
    client.post("/intake/", data)
    assert Ticket.objects.get(citizen__phone=CALL["phone"]).status == "completed"


def test_forward_to_a_unit(client, people, units):
    client.force_login(people["operator1"])
    data = call(**{"handling": "forward", "forward_to": units["QX-ZJJ"].pk})
    client.post("/intake/", data)
    ticket = Ticket.objects.get(citizen__phone=CALL["phone"])
    assert ticket.status == "completed" and ticket.intake_outcome == "forward"


def test_service_refusal_keeps_the_input(client, people):
    """Decline as a repeat without naming the earlier ticket: refused, nothing lost."""
    client.force_login(people["operator1"])
    data = call(**{"handling": "decline", "decline_reason": "repeat"})
    response = client.post("/intake/", data)
    assert response.status_code == 400
    body = response.content.decode()
    assert "重复诉求请关联原工单" in body
    assert 'value="13900002222"' in body and "小区电梯长期停运" in body
    assert not Ticket.objects.filter(citizen__phone=CALL["phone"]).exists()


def test_repeat_declined_against_the_earlier_ticket(client, people, flow):
    earlier = flow.to("handling", phone=CALL["phone"])
    client.force_login(people["operator1"])
    data = call(**{"handling": "decline", "decline_reason": "repeat", "related_to": earlier.number})
    client.post("/intake/", data)
    ticket = Ticket.objects.filter(citizen__phone=CALL["phone"]).exclude(pk=earlier.pk).get()
    assert ticket.status == "declined" and ticket.related_to == earlier


def test_unknown_earlier_ticket_is_an_error(client, people):
    client.force_login(people["operator1"])
    data = call(**{"handling": "decline", "decline_reason": "repeat", "related_to": "999"})
    response = client.post("/intake/", data)
    assert response.status_code == 400 and "999" in response.content.decode()


def test_missing_fields_are_marked(client, people):
    client.force_login(people["operator1"])
    response = client.post("/intake/", call(**{"summary": ""}))
    assert response.status_code == 400 and response.context["form"].errors["summary"]


def test_guidance_for_every_decline_reason_is_on_the_page(client, people):
    client.force_login(people["operator1"])
    body = client.get("/intake/").content.decode()
    assert "110" in body and 'data-guidance="other_city"' in body


def test_caller_history_shows_open_tickets_and_abuse(client, people, flow):
    flow.to("handling", phone=CALL["phone"])
    flow.to("closed", phone=CALL["phone"])
    citizen = Ticket.objects.filter(citizen__phone=CALL["phone"]).first().citizen
    abuse_record(actor=people["operator1"], citizen=citizen, kind=AbuseRecord.Kind.HARASSMENT)
    client.force_login(people["operator1"])
    body = client.get("/workbench/intake/history/", {"phone": CALL["phone"]}).content.decode()
    assert 'data-warning="open"' in body and 'data-warning="abuse"' in body
    assert body.count("data-fill") >= 2 and "张三" in body
    short = client.get("/workbench/intake/history/", {"phone": "139"}).content.decode()
    assert "data-warning" not in short


def test_catalog_suggestions_from_the_words(client, people):
    client.force_login(people["operator1"])
    body = client.get("/workbench/suggest/", {"summary": "小区电梯坏了", "detail": "物业不管"})
    assert "市住房和城乡建设局" in body.content.decode() or "物业" in body.content.decode()
    empty = client.get("/workbench/suggest/", {"summary": "", "detail": ""}).content.decode()
    assert "<li>" not in empty
