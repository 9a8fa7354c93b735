"""The supervisor's board, letters and bulletin as the supervisor found them (issue 15
item 14; R-SV-2, R-SV-3, R-SV-6): one issuer for every document, the letter's history in
time order with who acted, dates as documents write them, a deadline for the unit's
written report; the board with days overdue, a unit filter and an Excel export; the
bulletin titled, totalled and counting overdue work by the board's rule."""

from datetime import UTC, date, datetime
from io import BytesIO

import pytest
from django.template.loader import render_to_string
from openpyxl import load_workbook

from hotline.core.dates import document_date, document_moment
from hotline.directory.models import Unit, UnitKind
from hotline.sla.deadlines import SHANGHAI as SH
from hotline.supervision import selectors, services
from hotline.supervision import sweep as sweeper
from hotline.supervision.models import Document
from hotline.supervision.tests.test_documents import media  # noqa: F401 - fixture
from hotline.tickets.models import Assignment, WarningLevel
from hotline.tickets.tests.conftest import *  # noqa: F403 - the flow fixtures

CENTRE = "青溪市12345政务服务便民热线中心"


@pytest.fixture
def climbed(flow, at, people, media):  # noqa: F811
    """A KJ consultation up to the letter (Sat 2026-10-10), with a supervisor's own
    reminder on 10-01 between the ladder's rungs."""
    at(2026, 9, 23, 10, 0)
    ticket = flow.to("handling", assists=(), kind="consult", summary="咨询公积金提取")
    for moment in [(2026, 9, 24, 8, 31), (2026, 9, 30, 8, 30)]:
        at(*moment)
        sweeper.sweep()
    at(2026, 10, 1, 9, 0)
    services.reminder_send(
        actor=people["supervisor1"], assignment=flow.lead(ticket), note="请加快办理"
    )
    for moment in [(2026, 10, 8, 8, 30), (2026, 10, 10, 8, 30)]:
        at(*moment)
        sweeper.sweep()
    return ticket


def test_document_dates_are_written_as_documents_write_them():
    assert document_date(date(2026, 12, 3)) == "2026年12月3日"
    assert document_date(datetime(2026, 12, 3, 17, 0, tzinfo=SH)) == "2026年12月3日"
    assert document_date(datetime(2026, 12, 2, 16, 30, tzinfo=UTC)) == "2026年12月3日"
    assert document_moment(datetime(2026, 12, 3, 17, 30, tzinfo=SH)) == "2026年12月3日 17:30"
    assert document_date(None) == ""


def test_letter_history_in_time_order_with_chinese_actors_and_report_deadline(climbed):
    """R-SV-2: the supervisor's reminder of 10-01 stands between the rungs of 09-30 and
    10-08, each row says who acted, and the unit reports in writing within five working
    days of the letter (10-10 is a make-up working day; 10-16 the fifth after it)."""
    letter = Document.objects.get(kind="letter")
    history = letter.facts["history"]
    assert [h["at"][:10] for h in history] == [
        "2026年9月24日",
        "2026年9月30日",
        "2026年10月1日",
        "2026年10月8日",
    ]
    centre = Unit.objects.get(kind=UnitKind.CENTER)
    assert history[0]["who"] == "12345热线系统自动催办"
    assert history[1]["who"].endswith(centre.deputy_head_name)
    assert history[1]["who"].startswith("热线")  # the hotline's deputy head, by role
    assert history[2]["who"].startswith("督办员") and history[2]["note"] == "请加快办理"
    assert history[3]["who"].endswith(centre.head_name)
    assert letter.facts["issued"] == "2026年10月10日"
    assert letter.facts["report_due"] == "2026年10月16日"
    assert letter.facts["due"] == "2026年9月29日 17:30"
    from hotline.supervision import pdf

    html = pdf.document_html(letter)
    assert "请于2026年10月16日前将办理情况书面报告" + CENTRE in html
    assert html.index("2026年9月30日") < html.index("2026年10月1日") < html.index("2026年10月8日")


def test_history_is_written_in_the_site_language_whoever_asks(climbed, settings):
    """The history's words go through gettext (decision 0025) and are rendered in the
    site language, as the tick renders them, whatever language the issuer reads."""
    from django.utils import translation

    from hotline.supervision.documents import supervision_history

    letter = Document.objects.get(kind="letter")
    assignment = Assignment.objects.get(pk=letter.assignment_id)
    with translation.override("en"):
        chinese = supervision_history(
            assignment, ticket=assignment.ticket, exclude=letter.escalation
        )
    assert [h["who"] for h in chinese] == [h["who"] for h in letter.facts["history"]]
    assert chinese[2]["what"] == "人工催办"
    settings.LANGUAGE_CODE = "en"
    english = supervision_history(assignment, ticket=assignment.ticket)
    assert english[0]["who"] == "12345 hotline system, automatic reminder"
    assert english[2]["who"].startswith("supervisor ") and english[2]["what"] == "reminder by hand"


def test_every_document_is_issued_in_the_one_configured_name(climbed, settings, people, at):
    letter = Document.objects.get(kind="letter")
    assert letter.issuer == CENTRE  # not the rung's own issuer (行政审批局)
    settings.HOTLINE_ISSUER = "青溪市人民政府12345热线办公室"
    at(2026, 10, 20, 9, 0)
    by_hand = services.document_issue(
        actor=people["supervisor1"],
        assignment=Assignment.objects.get(pk=letter.assignment_id),
        kind="recommendation",
        note="",
    )
    assert by_hand.issuer == "青溪市人民政府12345热线办公室"
    assert selectors.bulletin(date(2026, 10, 1))["issuer"] == "青溪市人民政府12345热线办公室"


def test_bulletin_title_total_row_and_overdue_counted_as_the_board_counts(
    climbed, client, people, at
):
    """R-SV-6: the bulletin's overdue column and the board's 已超期 use one rule, so an
    assignment past its deadline that the tick has not looked at yet counts on both."""
    lead = Assignment.objects.get(ticket=climbed, role="lead")
    Assignment.objects.filter(pk=lead.pk).update(warning=WarningLevel.NORMAL)
    board = {u["unit__code"]: u for u in selectors.by_unit(people["supervisor1"])}
    assert board[lead.unit.code]["red"] == 1
    assert [a.pk for a in selectors.warned(people["supervisor1"], level="red")] == [lead.pk]
    b = selectors.bulletin(date(2026, 9, 1))
    assert b["title"] == "青溪市12345热线2026年9月通报"
    assert [r["overdue"] for r in b["rows"] if r["code"] == lead.unit.code] == [1]
    html = render_to_string("supervision/pdf/bulletin.html", {"b": b})
    assert "青溪市12345热线2026年9月通报" in html
    assert '<tr class="total"><th>合计</th>' in html
    assert "2026年9月1日至2026年9月30日" in html and b["issued_text"] in html


def warned(response) -> str:
    """The board's table of near-due and overdue work."""
    return response.content.decode().split('id="warned"', 1)[1].split("</table>", 1)[0]


def test_board_days_overdue_unit_filter_export_and_unit_rows_open_their_tickets(
    climbed, flow, client, people, at
):
    lead = Assignment.objects.get(ticket=climbed, role="lead")
    client.force_login(people["supervisor1"])
    body = client.get("/supervision/").content.decode()
    assert 'class="table nowrap-head" id="warned"' in body
    # Due 09-29 17:30, now 10-10 08:30: ten whole days.
    assert "已超期 10 天" in body
    assert f'href="?unit={lead.unit.code}#warned"' in body  # the unit's row opens its work
    other = Unit.objects.exclude(pk=lead.unit_id).filter(kind=UnitKind.DEPARTMENT).first()
    assert climbed.number not in warned(client.get("/supervision/", {"unit": other.code}))
    body = client.get("/supervision/", {"unit": lead.unit.code}).content.decode()
    assert climbed.number in warned(client.get("/supervision/", {"unit": lead.unit.code}))
    assert f"· {lead.unit.name}" in body
    response = client.get("/supervision/board.xlsx", {"unit": lead.unit.code, "level": "red"})
    assert response.status_code == 200
    rows = list(load_workbook(BytesIO(response.content)).worksheets[0].values)
    assert rows[0][4:6] == ("预警", "超期时长")
    assert rows[1][0] == climbed.number and rows[1][5] == 10
    assert len(rows) == 2
    empty = client.get("/supervision/board.xlsx", {"unit": other.code})
    assert len(list(load_workbook(BytesIO(empty.content)).worksheets[0].values)) == 1
    client.force_login(people["zjj_clerk"])
    assert client.get("/supervision/board.xlsx").status_code == 403


def test_delivery_log_is_in_the_supervisors_navigation_and_speaks_chinese(client, people, settings):
    from hotline.notifications.models import Notification, NotificationChannel
    from hotline.notifications.services import deliver_due, notify

    settings.HOTLINE_SMS_URL = ""
    notify(channel=NotificationChannel.SMS, address="13900000000", subject="催办", body="x")
    for _attempt in range(6):
        Notification.objects.update(next_attempt_at=datetime(2000, 1, 1, tzinfo=SH))
        deliver_due()
    client.force_login(people["supervisor1"])
    assert 'href="/notifications/log/"' in client.get("/supervision/").content.decode()
    body = client.get("/notifications/log/").content.decode()
    assert "未配置短信网关" in body and "no SMS gateway" not in body
