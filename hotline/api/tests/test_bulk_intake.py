"""Issue 14 item 11: the bulk intake endpoint checks every row as one create does,
writes all or nothing with one event per ticket, and refuses what one create refuses."""

import pytest

from hotline.accounts.models import Role
from hotline.core.models import AccessRecord
from hotline.tickets.models import Citizen, Ticket, TicketEvent


def post(client, data):
    return client.post("/api/tickets/bulk", data, content_type="application/json")


def row(i, **extra):
    return {"phone": f"1390000{i:04d}", "summary": f"路灯不亮 {i}", "kind": "help", **extra}


@pytest.fixture
def operator(client, users):
    client.force_login(users[Role.OPERATOR])
    return client


def test_a_batch_becomes_tickets_with_one_event_each_and_numbers_in_order(operator, users):
    rows = [row(i, name="王五") for i in range(3)] + [
        row(0, name="王五", handling="answer_now", answer="已当场解答")
    ]
    made = post(operator, {"tickets": rows})
    assert made.status_code == 201, made.content
    numbers = made.json()["numbers"]
    assert made.json()["count"] == 4 and numbers == sorted(numbers) and len(set(numbers)) == 4
    tickets = {t.number: t for t in Ticket.objects.select_related("citizen")}
    assert [tickets[n].summary for n in numbers] == [r["summary"] for r in rows]
    assert tickets[numbers[0]].status == "pending_dispatch"
    assert tickets[numbers[3]].status == "completed" and tickets[numbers[3]].visit_due
    assert tickets[numbers[0]].citizen == tickets[numbers[3]].citizen  # one caller, one row
    assert Citizen.objects.count() == 3
    assert all(t.operator == users[Role.OPERATOR] and t.search_terms for t in tickets.values())
    events = TicketEvent.objects.filter(kind="received")
    assert events.count() == 4 and {e.ticket.number for e in events} == set(numbers)
    # A single create goes on counting after the batch: numbers are never handed out twice.
    one = operator.post("/api/tickets", row(9), content_type="application/json")
    assert one.json()["number"] > numbers[-1]
    assert not AccessRecord.objects.exists()  # the answer shows no personal data


def test_a_known_caller_is_found_as_one_create_finds_them(operator):
    Citizen.objects.create(phone="13900000001", name="", address="青溪路 1 号")
    assert post(operator, {"tickets": [row(1)]}).status_code == 201
    assert Citizen.objects.count() == 1


def test_bad_rows_write_nothing_and_are_all_named(operator):
    rows = [
        row(0),
        row(1, phone="abc<script>"),  # the phone rule of one create
        row(2, summary="\ud83d"),  # a lone surrogate (core.text)
        row(3, detail="x\x00y"),
        row(4, name="名" * 300),  # longer than the citizen's name column
        row(5, handling="forward"),  # forwarding names a unit: one by one only
    ]
    refused = post(operator, {"tickets": rows})
    assert refused.status_code == 400
    error = refused.json()["error"]
    assert error["code"] == "invalid_rows" and "未写入任何工单" in error["message"]
    assert [r["row"] for r in error["rows"]] == [1, 2, 3, 4, 5]
    assert "来电号码" in error["rows"][0]["message"]
    assert "代理项" in error["rows"][1]["message"]
    assert "过长" in error["rows"][3]["message"]
    assert Ticket.objects.count() == 0 and Citizen.objects.count() == 0
    assert TicketEvent.objects.count() == 0


def test_only_intake_may_send_a_batch_and_its_size_is_limited(client, users, settings):
    client.force_login(users[Role.UNIT_CLERK])
    refused = post(client, {"tickets": [row(0)]})
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "forbidden"
    client.force_login(users[Role.OPERATOR])
    settings.HOTLINE_BULK_MAX_ROWS = 3
    big = post(client, {"tickets": [row(i) for i in range(4)]})
    assert big.status_code == 400 and big.json()["error"]["code"] == "too_many_rows"
    assert post(client, {"tickets": []}).json()["error"]["code"] == "empty_batch"
    assert Ticket.objects.count() == 0


def test_a_batch_needs_a_login(client, db):
    assert post(client, {"tickets": [row(0)]}).status_code == 401


def test_the_wire_says_handling_the_code_says_intake_outcome(operator, users):
    """The schema reads the wire's "handling" into `intake_outcome` (decision 0026): one
    create and the bulk service take the field by its code name, the JSON keeps its key."""
    from hotline.api.ticket_schemas import TicketRowIn
    from hotline.tickets.services import tickets_create_bulk

    wire = {**row(0), "handling": "decline", "decline_reason": "illegal"}
    assert TicketRowIn(**wire).dict()["intake_outcome"] == "decline"
    assert "handling" in TicketRowIn.model_json_schema(by_alias=True)["properties"]
    one = operator.post("/api/tickets", wire, content_type="application/json")
    assert one.status_code == 201 and one.json()["status"] == "declined"
    [made] = tickets_create_bulk(
        actor=users[Role.OPERATOR],
        rows=[{**row(1), "intake_outcome": "answer_now", "answer": "已当场解答"}],
    )
    assert made.intake_outcome == "answer_now" and made.status == "completed"
