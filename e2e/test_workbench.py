"""One ticket through the four workbenches in a real browser: intake by keyboard alone,
dispatch to a lead and a co-unit, sign and reply, leader approval, completion, visit."""

import pytest

from e2e.conftest import login, screenshot
from hotline.tickets.models import Ticket

pytestmark = pytest.mark.browser

PHONE = "13912345678"


def logout(page):
    # Wait for the page's own htmx requests first: the session is saved on every
    # response, so one still in flight would set the old session cookie again.
    page.wait_for_load_state("networkidle")
    page.context.clear_cookies()


def settle(page):
    """Let the page and its htmx requests finish before the test reads the database
    (SQLite's shared in-memory database locks tables between threads)."""
    page.wait_for_load_state("networkidle")


def submit(page, action):
    with page.expect_navigation():
        action()
    settle(page)


def test_one_ticket_through_every_workbench(page, demo):
    # 受理: keyboard only. The phone field has the focus; Tab moves on; arrows pick options.
    login(page, "operator1")
    page.wait_for_url(page.base_url + "/intake/")
    page.evaluate("localStorage.clear()")
    page.keyboard.type(PHONE)
    page.keyboard.press("Tab")
    page.keyboard.type("王五")
    page.keyboard.press("Tab")  # channel: phone
    page.keyboard.press("Tab")  # kind: help is chosen
    page.keyboard.press("ArrowRight")  # → complaint
    page.keyboard.press("Tab")
    page.keyboard.type("小区电梯长期停运，物业不维修")
    page.keyboard.press("Tab")
    page.keyboard.type("3栋电梯停运两周，老人出行困难")
    page.keyboard.press("Tab")
    page.keyboard.type("城东街道幸福小区3栋")
    page.locator("#caller-history").get_by_text("没有").or_(
        page.locator("#caller-history .empty")
    ).first.wait_for()
    page.locator("#suggestions li").first.wait_for()
    settle(page)
    page.reload()  # the draft survives a reload
    assert page.input_value("#id_summary") == "小区电梯长期停运，物业不维修"
    assert page.locator("#id_kind input[value=complaint]").is_checked()
    settle(page)
    screenshot(page, "workbench-intake")
    page.select_option("#id_topic", label="城乡建设 > 住房 > 物业管理")  # 诉求分类 is required
    page.focus("#id_address")
    submit(page, lambda: page.keyboard.press("Alt+S"))
    ticket = Ticket.objects.get(citizen__phone=PHONE)
    assert ticket.status == "pending_dispatch" and ticket.kind == "complaint"
    assert ticket.number in page.locator(".messages").inner_text()
    assert page.input_value("#id_summary") == ""  # a fresh form, the draft cleared
    page.reload()
    assert page.input_value("#id_summary") == ""

    # 派单: lead unit and a co-unit.
    logout(page)
    login(page, "dispatcher1")
    page.wait_for_url(page.base_url + "/dispatch/")
    page.click(f"text={ticket.number}")
    page.locator("#id_lead").wait_for()
    page.select_option("#id_lead", label="市住房和城乡建设局")
    page.locator("#id_assists label", has_text="城东街道办事处").locator("input").check()
    screenshot(page, "workbench-dispatch")
    submit(page, lambda: page.locator(".dispatch-form button.primary").click())
    assert "msg-success" in page.content()
    ticket.refresh_from_db()
    assert ticket.status == "dispatched"
    assert {a.unit.code for a in ticket.assignments.all()} == {"QX-ZJJ", "QX-CD"}

    # 待办: the clerk signs and writes the reply.
    logout(page)
    login(page, "zjj_clerk")
    page.wait_for_url(page.base_url + "/inbox/")
    page.click(f"text={ticket.number}")
    page.locator("input[name=action][value=sign]").wait_for(state="attached")
    screenshot(page, "workbench-inbox")
    submit(page, lambda: page.keyboard.press("Alt+S"))
    page.locator("#id_rp-text").wait_for()
    page.fill("#id_rp-text", "已约谈物业公司，电梯已于今日修复并通过检测。")
    page.fill("#id_rp-points", "电梯维修\n物业责任")
    page.fill("#id_rp-citizen_view", "诉求人表示满意")
    page.check("#id_rp-result_0")  # 解决
    reply_form = page.locator("form", has=page.locator("input[name=action][value=reply]"))
    submit(page, lambda: reply_form.locator("button.primary").click())
    assert "msg-success" in page.content()
    lead = ticket.assignments.get(role="lead")
    page.goto(f"{page.base_url}/workbench/assignments/{lead.pk}/sheet/")
    page.emulate_media(media="print")
    screenshot(page, "workbench-sheet")
    page.emulate_media(media="screen")

    # The unit leader approves the reply.
    logout(page)
    login(page, "zjj_leader")
    page.goto(page.base_url + "/inbox/?tab=approve")
    screenshot(page, "workbench-approve")
    submit(page, lambda: page.click("button[name=action][value=reply_approve]"))
    ticket.refresh_from_db()
    assert ticket.status == "replied"

    # The dispatcher approves the completion.
    logout(page)
    login(page, "dispatcher1")
    page.goto(page.base_url + "/dispatch/?tab=completion")
    screenshot(page, "workbench-completion")
    submit(page, lambda: page.click("button[name=decision][value=approve]"))
    ticket.refresh_from_db()
    assert ticket.status == "completed"

    # 回访: satisfied → closed.
    logout(page)
    login(page, "visitor1")
    page.wait_for_url(page.base_url + "/visits/")
    page.click(f"text={ticket.number}")
    page.locator("#id_satisfaction input[value=satisfied]").check()
    screenshot(page, "workbench-visits")
    submit(page, lambda: page.keyboard.press("Alt+S"))
    ticket.refresh_from_db()
    assert ticket.status == "closed"
    assert "msg-success" in page.content()
