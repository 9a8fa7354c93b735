"""Issue 12's inputs in a real browser: a unit records its contact with the citizen
(R-UN-4); a return visit fails (无人接听) and the retry succeeds with all three scores
(R-FB-2, issue 15); the supervisor reads staff performance (R-AS-3)."""

import pytest

from e2e.conftest import login, screenshot
from hotline.accounts.models import User
from hotline.directory.models import Unit
from hotline.tickets.models import Contact, Visit
from hotline.tickets.tests.conftest import Flow

pytestmark = pytest.mark.browser


def settle(page):
    page.wait_for_load_state("networkidle")


def logout(page):
    settle(page)
    page.context.clear_cookies()


def submit(page, action):
    with page.expect_navigation():
        action()
    settle(page)


def test_contact_then_visit_failure_and_successful_retry(page, demo):
    flow = Flow(
        {u.username: u for u in User.objects.select_related("unit")},
        {u.code: u for u in Unit.objects.all()},
    )
    ticket = flow.to("handling", assists=())
    lead = flow.lead(ticket)

    # The unit's clerk records the call to the citizen from the inbox panel (htmx).
    login(page, "zjj_clerk")
    page.goto(f"{page.base_url}/inbox/?a={lead.pk}")
    page.click("#unit-followup summary:has-text('记录联系情况')")
    page.fill("#id_fu-contact-note", "已电话联系诉求人，约定明日上门查看")
    page.click("#unit-followup button:has-text('保存联系记录')")
    page.wait_for_selector("#unit-followup .msg-success")
    settle(page)
    assert Contact.objects.filter(assignment=lead).count() == 1
    assert "按时响应" in page.inner_text("#unit-followup")
    screenshot(page, "followup-contact")
    logout(page)

    flow.reply(ticket)
    flow.approve_reply(ticket)
    flow.complete(ticket)

    # The visitor's first call is not answered: recorded, the retry time is given.
    login(page, "visitor1")
    page.goto(f"{page.base_url}/visits/?ticket={ticket.number}")
    page.click("summary:has-text('回访未成功')")
    page.check("input[name=fail-outcome][value=no_answer]")
    submit(page, lambda: page.click("button:has-text('记录未成功的回访')"))
    assert "请于" in page.inner_text(".messages")
    assert "无人接听" in page.inner_text(".panel")
    screenshot(page, "visit-failed")

    # The retry reaches the citizen: result, unit and operator scored.
    page.locator("#id_satisfaction input[value=satisfied]").check()
    page.locator("#id_unit_satisfaction input[value=basic]").check()
    page.locator("#id_operator_satisfaction input[value=satisfied]").check()
    submit(page, lambda: page.click("button:has-text('Alt+S')"))
    ticket.refresh_from_db()
    assert ticket.status == "closed"
    visits = list(Visit.objects.filter(ticket=ticket).order_by("attempt"))
    assert [(v.outcome, v.attempt) for v in visits] == [("no_answer", 1), ("done", 2)]
    assert visits[1].unit_satisfaction == "basic"
    page.goto(f"{page.base_url}/tickets/{ticket.number}/")
    page.locator("#follow-up").scroll_into_view_if_needed()
    assert "无人接听" in page.inner_text("#follow-up")
    screenshot(page, "visit-retry-done")
    logout(page)

    # The supervisor's staff performance page counts the visitor's two calls.
    login(page, "supervisor1")
    page.goto(f"{page.base_url}/supervision/staff/")
    row = page.locator("#visitors tbody tr", has_text="李文静")
    assert row.locator("td").nth(1).inner_text() == "2"
    screenshot(page, "staff-performance")
