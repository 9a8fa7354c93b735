"""Staff performance and quality review (R-AS-3, SR 七(二), ZS 33)."""

from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from hotline.core.errors import Conflict, DomainError, PermissionDenied
from hotline.supervision import performance, quality
from hotline.supervision.models import QualityReview
from hotline.tickets import services as s
from hotline.tickets.services import followup as sf
from hotline.tickets.tests.conftest import *  # noqa: F403 - the flow fixtures

SH = ZoneInfo("Asia/Shanghai")


def _period(first="2025-11-01", last="2025-11-30"):
    return performance.parse_period(first, last)


def test_r_as_3_period_errors_are_clear():
    with pytest.raises(DomainError, match="格式"):
        performance.parse_period("2025/11/01", "2025-11-30")
    with pytest.raises(DomainError, match="有效日期"):
        performance.parse_period("2025-02-30", "2025-03-01")
    with pytest.raises(DomainError, match="早于开始"):
        performance.parse_period("2025-11-30", "2025-11-01")
    with pytest.raises(DomainError, match="3 年"):
        performance.parse_period("2020-01-01", "2025-01-01")
    assert performance.rate(0, 0) == "—" and performance.rate(1, 4) == "25.0%"


def test_r_as_3_operator_and_visitor_figures(flow, people, at):
    at(2025, 11, 24, 9, 0)
    flow.create(intake_outcome="answer_now", answer="已答复")
    flow.create(intake_outcome="decline", decline_reason="other_city")
    first = flow.to("completed")
    second = flow.to("completed")
    s.visit_record(
        actor=people["visitor1"], ticket=first, satisfaction="unsatisfied",
        operator_satisfaction="unsatisfied", resolved=False,
    )  # fmt: skip
    s.ticket_redo(actor=people["visitor1"], ticket=first, reason="未修复")
    flow.reply(first)
    flow.approve_reply(first)
    flow.complete(first)
    s.visit_record(
        actor=people["visitor1"], ticket=first, satisfaction="satisfied",
        operator_satisfaction="satisfied", resolved=True,
    )  # fmt: skip
    sf.visit_fail(actor=people["visitor1"], ticket=second, outcome="no_answer")
    row = next(r for r in performance.operators(_period()) if r.user.username == "operator1")
    assert (row.created, row.calls, row.answered_now, row.declined) == (4, 4, 1, 1)
    # The redo's visit replaced the first: one rating, satisfied.
    assert (row.scored_total, row.satisfied, row.satisfaction_rate) == (1, 1, "100.0%")
    idle = next(r for r in performance.operators(_period()) if r.user.username == "operator2")
    assert idle.created == 0 and idle.satisfaction_rate == "—"
    visitor = next(r for r in performance.visitors(_period()) if r.user.username == "visitor1")
    assert (visitor.made, visitor.done, visitor.failed, visitor.on_time) == (3, 2, 1, 2)
    # Outside the period nothing counts.
    assert performance.visitors(_period("2025-12-01", "2025-12-31"))[0].made == 0


def test_r_as_3_quality_sample_and_review(flow, people, at):
    at(2025, 11, 24, 9, 0)
    for _i in range(4):
        flow.create()
    supervisor = people["supervisor1"]
    period = _period()
    with pytest.raises(PermissionDenied):
        quality.quality_sample(
            actor=people["operator1"], start=period.start, end=period.end, per_operator=2
        )
    with pytest.raises(DomainError, match="1 到 50"):
        quality.quality_sample(actor=supervisor, start=period.start, end=period.end, per_operator=0)
    sample = quality.quality_sample(
        actor=supervisor, start=period.start, end=period.end, per_operator=2
    )
    assert len(sample) == 2 and {r.operator.username for r in sample} == {"operator1"}
    again = quality.quality_sample(
        actor=supervisor, start=period.start, end=period.end, per_operator=5
    )
    assert len(again) == 2  # only the two not yet sampled
    review = sample[0]
    with pytest.raises(DomainError, match="0 到 50"):
        quality.quality_review(
            actor=supervisor, review=review, completeness=51, kind_correct=True, unit_correct=True
        )
    scored = quality.quality_review(
        actor=supervisor, review=review, completeness=40, kind_correct=True,
        unit_correct=False, remarks="未记录诉求人地址",
    )  # fmt: skip
    assert scored.score == 65
    assert review.ticket.events.filter(kind="quality_reviewed").count() == 1
    with pytest.raises(Conflict):
        quality.quality_review(
            actor=supervisor, review=review, completeness=50, kind_correct=True, unit_correct=True
        )
    row = next(r for r in performance.operators(period) if r.user.username == "operator1")
    assert (row.reviewed, row.score) == (1, 65.0)


def test_r_as_3_staff_page_export_and_roles(client, flow, people, at):
    at(2025, 11, 24, 9, 0)
    flow.create()
    client.force_login(people["supervisor1"])
    page = client.get("/supervision/staff/", {"from": "2025-11-01", "to": "2025-11-30"})
    assert page.status_code == 200 and "1001" in page.content.decode()
    bad = client.get("/supervision/staff/", {"from": "2025-11-30", "to": "2025-11-01"})
    assert bad.status_code == 400 and "结束日期早于开始日期" in bad.content.decode()
    export = client.get(
        "/supervision/staff/", {"from": "2025-11-01", "to": "2025-11-30", "format": "xlsx"}
    )
    book = load_workbook(BytesIO(export.content))
    assert book.sheetnames == ["话务员", "回访员"]
    rows = list(book["话务员"].values)
    assert rows[0][0] == "工号" and rows[1][0] == "1001" and rows[1][2] == 1  # numbers stay numbers
    client.force_login(people["zjj_clerk"])
    assert client.get("/supervision/staff/").status_code == 403
    assert client.get("/supervision/quality/").status_code == 403


def test_r_as_3_quality_page_samples_and_scores(client, flow, people, at):
    at(2025, 11, 24, 9, 0)
    ticket = flow.create()
    client.force_login(people["supervisor1"])
    client.post(
        "/supervision/quality/sample/",
        {"from": "2025-11-01", "to": "2025-11-30", "per_operator": "3"},
    )
    review = QualityReview.objects.get(ticket=ticket)
    bad = client.post(f"/supervision/quality/{review.pk}/", {"completeness": "abc"}, follow=True)
    assert "须为整数" in bad.content.decode()
    client.post(
        f"/supervision/quality/{review.pk}/",
        {"completeness": "45", "kind_correct": "1", "unit_correct": "1"},
    )
    review.refresh_from_db()
    assert review.score == 95 and review.reviewer == people["supervisor1"]
    listed = client.get("/supervision/quality/", {"status": "done"}).content.decode()
    assert ticket.number in listed and "95" in listed
