"""Send-back in a real browser (R-UN-2, R-DL-3): one ticket's send-back approved and
re-dispatched to another unit, which signs; another's refused, the unit goes on with its
deadline counted from first receipt."""

import pytest

from e2e.conftest import login, screenshot
from e2e.test_workbench import logout, settle, submit
from hotline.accounts.models import User
from hotline.directory.models import Unit
from hotline.tickets import services as s
from hotline.tickets.models import Assignment, Ticket, UnitRequest

pytestmark = pytest.mark.browser


def dispatched(summary: str, phone: str) -> Ticket:
    """A ticket at the 住建局 (made through the services: intake and dispatch have their
    own browser journey in test_workbench.py)."""
    ticket = s.ticket_create(
        actor=User.objects.get(username="operator1"),
        phone=phone,
        name="刘七",
        summary=summary,
        detail=summary + "，请相关部门处理。",
        kind="complaint",
    )
    return s.ticket_dispatch(
        actor=User.objects.get(username="dispatcher1"),
        ticket=ticket,
        lead=Unit.objects.get(code="QX-ZJJ"),
    )


def open_in_inbox(page, ticket: Ticket, tab: str = "sign") -> None:
    page.goto(f"{page.base_url}/inbox/?tab={tab}")
    page.click(f"text={ticket.number}")
    page.locator("input[name=action][value=send_back]").wait_for(state="attached")
    settle(page)


def ask_send_back(page, reason: str, suggested: Unit | None = None) -> None:
    page.locator("details:has(input[name=action][value=send_back]) > summary").click()
    page.fill("#id_sb-reason", reason)
    page.fill("#id_sb-legal_basis", "本单位“三定”方案未列该职责")
    if suggested is not None:
        page.select_option("#id_sb-suggested_unit", value=str(suggested.pk))
    form = page.locator("form", has=page.locator("input[name=action][value=send_back]"))
    submit(page, lambda: form.locator("button").click())
    assert "msg-success" in page.content()


def decide(page, request: UnitRequest, decision: str, note: str) -> None:
    page.goto(page.base_url + "/dispatch/?tab=send_back")
    form = page.locator("form", has=page.locator(f"input[name=request][value='{request.pk}']"))
    form.locator(f"#id_r{request.pk}-note").fill(note)
    submit(page, lambda: form.locator(f"button[name=decision][value={decision}]").click())
    assert "msg-success" in page.content()


def test_send_back_approved_and_refused(page, demo):
    wrong = dispatched("占道经营，摊贩堵塞人行道", "13511112222")
    right = dispatched("小区电梯年检过期仍在运行", "13533334444")
    cgj = Unit.objects.get(code="QX-CGJ")

    # 待办: the 住建局 asks to send back both; the second after signing it.
    login(page, "zjj_clerk")
    page.wait_for_url(page.base_url + "/inbox/")
    open_in_inbox(page, wrong)
    ask_send_back(page, "占道经营属城管执法职责，不属本单位", suggested=cgj)
    open_in_inbox(page, right)
    submit(page, lambda: page.keyboard.press("Alt+S"))  # sign first
    open_in_inbox(page, right, tab="handling")
    screenshot(page, "workbench-send-back")
    ask_send_back(page, "电梯年检由市场监管部门负责")
    for ticket in (wrong, right):
        ticket.refresh_from_db()
        assert ticket.status == "return_review"

    # 派单: approve the first, refuse the second with a reason.
    logout(page)
    login(page, "dispatcher1")
    page.goto(page.base_url + "/dispatch/?tab=send_back")
    assert wrong.number in page.content() and right.number in page.content()
    screenshot(page, "workbench-send-back-review")
    first = UnitRequest.objects.get(assignment__ticket=wrong, kind="send_back")
    decide(page, first, "approve", "同意退回，改派城管")
    wrong.refresh_from_db()
    assert wrong.status == "pending_dispatch"
    second = UnitRequest.objects.get(assignment__ticket=right, kind="send_back")
    decide(page, second, "refuse", "住建局负责督促物业对电梯进行年检，属本单位职责")
    right.refresh_from_db()
    assert right.status == "handling"

    # Re-dispatch the first to the unit the 住建局 suggested.
    page.goto(page.base_url + "/dispatch/")
    page.click(f"text={wrong.number}")
    page.locator("#id_lead").wait_for()
    page.select_option("#id_lead", label=cgj.name)
    submit(page, lambda: page.locator(".dispatch-form button.primary").click())
    assert "msg-success" in page.content()
    lead = wrong.assignments.get(active=True, role="lead")
    assert lead.unit == cgj and wrong.assignments.get(active=False).state == "returned"

    # The 城管局 signs it.
    logout(page)
    login(page, "cgj_clerk")
    page.wait_for_url(page.base_url + "/inbox/")
    page.click(f"text={wrong.number}")
    page.locator("input[name=action][value=sign]").wait_for(state="attached")
    settle(page)
    submit(page, lambda: page.keyboard.press("Alt+S"))
    assert "msg-success" in page.content()
    wrong.refresh_from_db()
    lead.refresh_from_db()
    assert wrong.status == "handling" and lead.state == "handling" and lead.signed_at

    # The refused one: still the 住建局's, its clock from first receipt (R-DL-3).
    logout(page)
    login(page, "zjj_clerk")
    page.goto(page.base_url + "/inbox/?tab=handling")
    assert right.number in page.content() and wrong.number not in page.content()
    kept = right.assignments.get(active=True, role="lead")
    assert kept.state == Assignment.State.HANDLING
    assert kept.clock_start == kept.first_received_at
    page.goto(f"{page.base_url}/tickets/{right.number}/")
    timeline = page.locator("body").inner_text()
    assert "住建局负责督促物业" in timeline
    screenshot(page, "ticket-send-back-refused")
