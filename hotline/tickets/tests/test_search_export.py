"""Search and export of tickets (issue 6 item 7): filters, scope, masking, the row cap."""

from io import BytesIO

import pytest
from openpyxl import load_workbook

from hotline.directory.models import Topic
from hotline.tickets import exports
from hotline.tickets.models import Ticket


@pytest.fixture(autouse=True)
def english(client):
    """Assertions read the English msgids, whatever the translation says."""
    client.cookies["django_language"] = "en"


def sheet_rows(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(BytesIO(response.content), read_only=True)
    return [[c or "" for c in row] for row in book.active.iter_rows(values_only=True)]


def numbers(rows) -> set[str]:
    return {row[0] for row in rows[1:]}


def listed(client, **params) -> str:
    response = client.get("/tickets/", params)
    assert response.status_code == 200, response.content.decode()[:500]
    return response.content.decode()


@pytest.fixture
def three(flow, at):
    at(2025, 9, 22, 10)
    elevator = flow.to("handling", assists=())
    at(2025, 9, 24, 10)
    noise = flow.to(
        "dispatched",
        lead="QX-CGJ",
        assists=(),
        phone="13900002222",
        summary="夜间施工噪音扰民",
        detail="工地每晚施工到凌晨",
        kind="complaint",
    )
    at(2025, 9, 26, 10)
    water = flow.to("pending_dispatch", phone="13700003333", summary="自来水水压低", kind="consult")
    return elevator, noise, water


def test_filters_number_text_status_kind_unit_dates(client, people, three):
    elevator, noise, water = three
    client.force_login(people["dispatcher1"])
    body = listed(client, number=noise.number)
    assert noise.number in body and elevator.number not in body
    body = listed(client, number=noise.number[:6])  # a prefix: the month
    assert {t.number in body for t in three} == {True}
    body = listed(client, text="凌晨")  # words of the detail count too
    assert noise.number in body and water.number not in body
    body = listed(client, status="pending_dispatch")
    assert water.number in body and noise.number not in body
    body = listed(client, kind="complaint")
    assert noise.number in body and elevator.number not in body
    unit = noise.assignments.get().unit
    body = listed(client, unit=unit.pk)
    assert noise.number in body and elevator.number not in body
    body = listed(client, date_from="2025-09-23", date_to="2025-09-24")
    assert noise.number in body and elevator.number not in body and water.number not in body
    body = listed(client, phone="13700003333")
    assert water.number in body and noise.number not in body
    response = client.get("/tickets/", {"date_from": "2025-09-25", "date_to": "2025-09-01"})
    assert response.status_code == 400 and "before the start date" in response.content.decode()


def test_topic_filter_takes_descendants(client, people, flow):
    parent = Topic.objects.create(code="T-BENCH", name="城乡建设", level=1)
    child = Topic.objects.create(code="T-BENCH-1", name="物业管理", level=2, parent=parent)
    inside = flow.create(summary="物业费争议")
    Ticket.objects.filter(pk=inside.pk).update(topic=child)
    outside = flow.create(summary="别的事")
    client.force_login(people["dispatcher1"])
    body = listed(client, topic=parent.pk)
    assert inside.number in body and outside.number not in body


def test_sorted_by_received_and_filters_kept_in_page_links(client, people, three, monkeypatch):
    elevator, _noise, water = three
    client.force_login(people["dispatcher1"])
    body = listed(client, sort="received")
    assert body.index(elevator.number) < body.index(water.number)
    body = listed(client)
    assert body.index(water.number) < body.index(elevator.number)
    monkeypatch.setattr("hotline.tickets.views.PAGE_SIZE", 1)
    body = listed(client, date_from="2025-09-01", sort="received")
    assert elevator.number in body and water.number not in body
    assert "date_from=2025-09-01&amp;sort=received&amp;page=2" in body


def test_phone_search_needs_personal_data_access(client, people, three):
    client.force_login(people["supervisor1"])  # may see every ticket, not personal data
    response = client.get("/tickets/", {"phone": "13700003333"})
    assert response.status_code == 400
    assert "may not search by the caller" in response.content.decode()
    body = listed(client, q="13700003333")  # the quick box does not search phones either
    assert three[2].number not in body


def test_unit_sees_and_exports_only_its_own_tickets(client, people, three):
    elevator, noise, water = three
    client.force_login(people["zjj_clerk"])
    body = listed(client)
    assert elevator.number in body and noise.number not in body and water.number not in body
    rows = sheet_rows(client.get("/tickets/export.xlsx"))
    assert numbers(rows) == {elevator.number}
    # Asking for another unit's tickets yields nothing, not their tickets.
    other = noise.assignments.get().unit
    assert numbers(sheet_rows(client.get("/tickets/export.xlsx", {"unit": other.pk}))) == set()
    assert numbers(sheet_rows(client.get("/tickets/export.xlsx", {"phone": "13900002222"}))) == (
        set()
    )


def test_export_is_what_the_filters_select(client, people, three):
    noise = three[1]
    client.force_login(people["dispatcher1"])
    rows = sheet_rows(client.get("/tickets/export.xlsx", {"kind": "complaint"}))
    assert rows[0][0] == "Number"  # the header row
    assert numbers(rows) == {noise.number}
    everything = sheet_rows(client.get("/tickets/export.xlsx"))
    assert numbers(everything) == {t.number for t in three}


def test_export_masks_the_caller_as_the_page_does(client, people, three):
    elevator = three[0]
    client.force_login(people["supervisor1"])
    rows = sheet_rows(client.get("/tickets/export.xlsx", {"number": elevator.number}))
    assert len(rows) == 2
    assert "138****1111" in rows[1] and "13800001111" not in rows[1]
    assert "张**" in rows[1]
    client.force_login(people["dispatcher1"])
    rows = sheet_rows(client.get("/tickets/export.xlsx", {"number": elevator.number}))
    assert "13800001111" in rows[1] and "张三" in rows[1]


def test_confidential_caller_hidden_from_the_unit_in_export_and_phone_search(client, people, flow):
    ticket = flow.create(confidential=True, phone="13600004444")
    flow.dispatch(ticket)
    client.force_login(people["zjj_clerk"])
    rows = sheet_rows(client.get("/tickets/export.xlsx"))
    assert numbers(rows) == {ticket.number}
    assert "13600004444" not in str(rows)
    assert ticket.number not in listed(client, phone="13600004444")
    # The API's phone filter is the same search (LX 四3).
    assert client.get("/api/tickets", {"phone": "13600004444"}).json()["items"] == []
    plain = flow.create(phone="13600005555")
    flow.dispatch(plain)
    api = client.get("/api/tickets", {"phone": "13600005555"}).json()
    assert [t["number"] for t in api["items"]] == [plain.number]


def test_export_cells_are_never_formulas(client, people, flow):
    flow.create(summary='=HYPERLINK("http://x","y")')
    client.force_login(people["dispatcher1"])
    response = client.get("/tickets/export.xlsx")
    book = load_workbook(BytesIO(response.content))
    cells = [c for row in book.active.iter_rows() for c in row if c.value]
    assert any(str(c.value).startswith("=HYPERLINK") for c in cells)
    assert all(c.data_type == "s" for c in cells)


def test_export_is_capped_with_a_clear_message(client, people, flow, monkeypatch):
    for _ in range(3):
        flow.create()
    monkeypatch.setattr(exports, "EXPORT_LIMIT", 2)
    client.force_login(people["dispatcher1"])
    body = listed(client)
    assert "narrow the search to export the rest" in body
    assert "More than 2 tickets match" in body  # the list counts no further either
    response = client.get("/tickets/export.xlsx")
    rows = sheet_rows(response)
    assert "first 2 of 3" in rows[0][0]
    assert len(rows) == 1 + 1 + 2  # the note, the header, two tickets
    assert response["X-Export-Rows"] == "2" and response["X-Export-Total"] == "3"


def test_export_is_logged(client, people, flow):
    from hotline.core.models import AuditEvent

    flow.create()
    client.force_login(people["dispatcher1"])
    client.get("/tickets/export.xlsx", {"kind": "help"})
    event = AuditEvent.objects.get(kind="tickets_exported")
    assert event.actor == people["dispatcher1"]
    assert event.data["rows"] == 1 and event.data["filters"] == {"kind": "help"}
