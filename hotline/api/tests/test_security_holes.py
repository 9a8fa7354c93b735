"""Issue 14 items 1, 5 and 7: the holes a probe found, each with a test that fails
without its fix."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from hotline.accounts.models import Role
from hotline.core.errors import DomainError
from hotline.notifications.models import Notification
from hotline.tickets.models import Citizen, Ticket, TicketEvent

SURROGATE = "\ud83d"


@pytest.fixture
def as_role(client, users):
    def login(role):
        client.force_login(users[role])
        return client

    return login


def post(client, url, data):
    return client.post(url, data, content_type="application/json")


def body(data) -> bytes:
    """JSON with a lone surrogate escaped as the probe sent it (json.dumps would too)."""
    import json

    return json.dumps(data).encode()


def make(c, **extra):
    data = {"phone": "13911112222", "summary": "路灯不亮", "kind": "help", **extra}
    return c.post("/api/tickets", body(data), content_type="application/json")


# --- item 1: one text validation ---------------------------------------------------------


def test_lone_surrogate_in_annotation_is_refused_and_ticket_stays_readable(as_role):
    c = as_role(Role.OPERATOR)
    number = make(c).json()["number"]
    refused = c.post(
        f"/api/tickets/{number}/annotate",
        body({"text": f"备注{SURROGATE}"}),
        content_type="application/json",
    )
    assert refused.status_code == 400
    assert refused.json()["error"]["code"] == "invalid_text"
    assert not TicketEvent.objects.filter(kind="annotated").exists()
    assert c.get(f"/api/tickets/{number}").status_code == 200
    assert c.get(f"/tickets/{number}/").status_code == 200


def test_lone_surrogate_or_nul_in_a_new_ticket_is_refused(as_role):
    c = as_role(Role.OPERATOR)
    for bad in (f"摘要{SURROGATE}", "摘要\x00"):
        response = make(c, summary=bad)
        assert response.status_code == 400, response.content
        assert response.json()["error"]["code"] == "invalid_text"
    assert Ticket.objects.count() == 0 and Citizen.objects.count() == 0


def test_the_refusal_reaches_the_api_in_chinese_naming_the_field(as_role):
    c = as_role(Role.OPERATOR)
    response = make(c, summary="摘要\x00")
    assert response.json()["error"]["message"] == "「摘要」含有空字符（NUL），请重新输入"
    response = make(c, summary="长" * 201)
    assert response.json()["error"]["message"] == "「摘要」过长：最多 200 个字符，现有 201 个"


def test_control_characters_are_stripped(as_role):
    c = as_role(Role.OPERATOR)
    number = make(c, summary="路灯\x07不亮\x1b").json()["number"]
    assert Ticket.objects.get(number=number).summary == "路灯不亮"


@pytest.mark.parametrize(
    ("field", "size"), [("summary", 201), ("name", 51), ("address", 1_000_000)]
)
def test_over_long_text_is_refused_not_cut(as_role, field, size):
    c = as_role(Role.OPERATOR)
    response = make(c, **{field: "长" * size})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "too_long"
    assert "过长" in response.json()["error"]["message"]
    assert Ticket.objects.count() == 0


def test_over_long_summary_on_the_intake_page_is_a_message_not_a_cut(as_role):
    c = as_role(Role.OPERATOR)
    response = c.post(
        "/intake/",
        {
            "phone": "13911112222",
            "summary": "长" * 1000,
            "kind": "help",
            "handling": "dispatch",
            "channel": "phone",
            "urgency": "normal",
        },
    )
    assert response.status_code in (200, 400)
    assert Ticket.objects.count() == 0


@pytest.mark.parametrize("phone", ["abc<script>", "1391111222a", "<b>"])
def test_phone_must_be_a_phone_number(as_role, phone):
    c = as_role(Role.OPERATOR)
    response = make(c, phone=phone)
    assert response.status_code == 400
    assert "来电号码" in response.json()["error"]["message"]


@pytest.mark.parametrize(
    "phone", ["13911112222", "0571-88881234", "+86 139 1111 2222", "88881234转123"]
)
def test_phone_accepts_what_people_type(as_role, phone):
    assert make(as_role(Role.OPERATOR), phone=phone).status_code == 201


# --- item 7: the API's one error shape ---------------------------------------------------


def test_bad_types_and_bad_json_answer_in_the_one_shape(as_role):
    c = as_role(Role.OPERATOR)
    wrong_type = post(c, "/api/tickets", {"phone": 1, "summary": [], "kind": "help"})
    assert wrong_type.status_code == 422
    error = wrong_type.json()["error"]
    assert error["code"] == "invalid_input" and "字段" in error["message"]
    assert "detail" not in wrong_type.json()
    broken = c.post("/api/tickets", b"{not json", content_type="application/json")
    assert broken.status_code in (400, 422)
    assert "error" in broken.json() and "detail" not in broken.json()
    missing = post(c, "/api/tickets", {"summary": "x"})
    assert "必须填写" in missing.json()["error"]["message"]


def test_unauthenticated_api_answers_in_the_one_shape(client, db):
    response = client.get("/api/tickets")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000)
def test_oversized_body_is_json_413(as_role):
    c = as_role(Role.OPERATOR)
    response = make(c, detail="x" * 5000)
    assert response.status_code == 413
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["error"]["code"] == "too_large"


def test_search_api_holds_the_page_limit(as_role):
    c = as_role(Role.DISPATCHER)
    words = " ".join(["路灯"] * 600)
    response = c.get("/api/tickets", {"q": words})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_search"
    assert c.get("/api/tickets", {"q": "路灯"}).status_code == 200


def test_dispatch_to_government_or_hotline_centre_is_refused(as_role):
    from hotline.directory.models import Unit, UnitKind

    number = make(as_role(Role.OPERATOR)).json()["number"]
    c = as_role(Role.DISPATCHER)
    for kind in (UnitKind.GOVERNMENT, UnitKind.CENTER):
        unit = Unit.objects.filter(kind=kind).first()
        assert unit is not None
        response = post(c, f"/api/tickets/{number}/dispatch", {"lead": unit.code})
        assert response.status_code == 400, response.content
        assert "人民政府或热线中心" in response.json()["error"]["message"]
    assert Ticket.objects.get(number=number).status == "pending_dispatch"


def test_service_refuses_centre_as_co_unit(users):
    from hotline.directory.models import Unit, UnitKind
    from hotline.tickets import services as s

    ticket = s.ticket_create(
        actor=users[Role.OPERATOR], phone="13911112222", summary="路灯", kind="help"
    )
    lead = users[Role.UNIT_CLERK].unit
    centre = Unit.objects.get(kind=UnitKind.CENTER)
    with pytest.raises(DomainError):
        s.ticket_dispatch(actor=users[Role.DISPATCHER], ticket=ticket, lead=lead, assists=[centre])


# --- item 7: redirects, ids, uploads, long text -------------------------------------------


def test_next_cannot_leave_the_site_from_the_notification_form(as_role, users):
    c = as_role(Role.OPERATOR)
    note = Notification.objects.create(
        recipient=users[Role.OPERATOR], channel="inbox", subject="s", body="b", key="k-1"
    )
    for target in ("https://evil.example/", "javascript:alert(1)", "//evil.example/"):
        response = c.post(f"/notifications/{note.pk}/read/", {"next": target})
        assert response.status_code == 302
        assert response["Location"] == "/notifications/", target
    ok = c.post(f"/notifications/{note.pk}/read/", {"next": "/tickets/"})
    assert ok["Location"] == "/tickets/"


def test_next_cannot_leave_the_site_from_the_remind_form(as_role, users):
    from hotline.tickets import services as s

    ticket = s.ticket_create(
        actor=users[Role.OPERATOR], phone="13911112222", summary="路灯", kind="help"
    )
    s.ticket_dispatch(actor=users[Role.DISPATCHER], ticket=ticket, lead=users[Role.UNIT_CLERK].unit)
    assignment = ticket.assignments.get()
    c = as_role(Role.SUPERVISOR)
    response = c.post(f"/supervision/remind/{assignment.pk}/", {"next": "javascript:alert(1)"})
    assert response.status_code == 302 and not response["Location"].startswith("javascript")


@pytest.mark.parametrize("huge", ["99999999999999999999999", "9223372036854775808"])
def test_out_of_range_ids_are_form_errors(as_role, huge):
    c = as_role(Role.SUPERVISOR)
    response = c.post(
        "/supervision/meetings/new/",
        {
            "kind": "coordination",
            "held_at": "2026-01-05T10:00",
            "place": "会议室",
            "subject": "协调",
            "units": [huge],
            "attendees": "a",
            "decisions": "b",
        },
    )
    assert response.status_code == 400  # the form again, with its error; not a 500
    assert "units" in response.content.decode()
    from hotline.core.forms import IdChoiceField, IdMultipleChoiceField
    from hotline.directory.models import Unit

    field = IdMultipleChoiceField(queryset=Unit.objects.all())
    with pytest.raises(Exception) as caught:
        field.clean([huge])
    assert type(caught.value).__name__ == "ValidationError"
    with pytest.raises(Exception) as caught:
        IdChoiceField(queryset=Unit.objects.all()).clean(huge)
    assert type(caught.value).__name__ == "ValidationError"


def test_official_year_csv_upload_holds_the_upload_limit(as_role):
    c = as_role(Role.ADMIN)
    content = ("2027-01-01,2027-01-03,holiday,元旦\n" * 50).encode()
    upload = SimpleUploadedFile("2027.csv", content, content_type="text/csv")
    with override_settings(HOTLINE_UPLOAD_MAX_BYTES=100):
        response = c.post("/sla/calendar/2027/official/", {"file": upload, "notice": ""})
    assert response.status_code in (200, 400)
    assert "file" in response.context["form"].errors
    from hotline.sla.models import OfficialYear

    assert not OfficialYear.objects.filter(year=2027).exists()


def test_duplicate_check_and_suggestions_take_a_long_detail_by_post(as_role):
    c = as_role(Role.OPERATOR)
    detail = "小区路灯不亮，" * 400  # far beyond what a URL carries
    for url in ("/workbench/intake/duplicates/", "/workbench/suggest/"):
        response = c.post(url, {"summary": "路灯不亮", "detail": detail})
        assert response.status_code == 200, url
    page = c.get("/intake/").content.decode()
    assert 'hx-post="/workbench/intake/duplicates/"' in page
    assert 'hx-post="/workbench/suggest/"' in page


# --- item 5: the bulletin through the safe writer ----------------------------------------


def test_bulletin_excel_keeps_formulas_as_text_and_drops_control_characters():
    import datetime as dt

    from openpyxl import load_workbook

    from hotline.supervision.pdf import bulletin_xlsx

    totals = {
        "dispatched": 1,
        "reminders": 0,
        "urged": 0,
        "letters": 0,
        "recommendations": 0,
        "overdue": 1,
        "criticised": 1,
    }
    bulletin = {
        "month": dt.date(2026, 1, 1),
        "title": "=通报",
        "rows": [{"unit": '=HYPERLINK("http://evil","x")', **totals}],
        "totals": totals,
        "criticism": [
            {
                "unit": "城管局",
                "number": "1",
                "summary": '=HYPERLINK("http://evil","点我")\x07',
                "due": "2026-01-05",
                "reminded": 2,
                "at": "2026-01-06",
            }
        ],
    }
    book = load_workbook(io.BytesIO(bulletin_xlsx(bulletin)))
    criticism = book.worksheets[1]
    cell = criticism.cell(row=2, column=3)
    assert cell.data_type == "s" and cell.value == '=HYPERLINK("http://evil","点我")'
    first = book.worksheets[0]
    assert first.cell(row=3, column=1).data_type == "s"
    assert first.cell(row=3, column=2).value == 1  # counts stay numbers
