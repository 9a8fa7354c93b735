"""Intake details in the browser: the caller's history, a repeat declined against the
earlier ticket with the guidance shown, and an error that keeps what was typed."""

import pytest

from e2e.conftest import login, screenshot
from hotline.accounts.models import User
from hotline.tickets import services as s
from hotline.tickets.models import Ticket

pytestmark = pytest.mark.browser

PHONE = "13700001234"


def test_repeat_call_declined_with_guidance(page, demo):
    earlier = s.ticket_create(
        actor=User.objects.get(username="operator1"),
        phone=PHONE,
        name="赵六",
        summary="路灯不亮",
        kind="help",
    )
    login(page, "operator1")
    page.evaluate("localStorage.clear()")
    page.fill("#id_phone", PHONE)
    history = page.locator("#caller-history")
    history.locator("[data-warning=open]").wait_for()
    assert earlier.number in history.inner_text()
    assert page.locator("#id_decline_reason").is_hidden()
    history.locator("button[data-fill*=related_to]").click()
    assert page.locator("#id_handling input[value=decline]").is_checked()
    assert page.input_value("#id_related_to") == earlier.number
    assert page.locator("[data-guidance=repeat]").is_visible()
    assert page.locator("[data-guidance=emergency]").is_hidden()
    page.wait_for_load_state("networkidle")
    screenshot(page, "workbench-intake-repeat")

    with page.expect_navigation():  # no summary yet: refused, nothing typed is lost
        page.keyboard.press("Alt+S")
    assert page.locator(".msg-error").count() >= 1
    assert page.input_value("#id_phone") == PHONE
    assert page.input_value("#id_related_to") == earlier.number
    assert page.locator("[data-guidance=repeat]").is_visible()
    page.fill("#id_summary", "路灯不亮，再次来电")
    with page.expect_navigation():
        page.keyboard.press("Alt+S")
    page.wait_for_load_state("networkidle")
    assert "msg-success" in page.content()
    repeat = Ticket.objects.exclude(pk=earlier.pk).get(citizen__phone=PHONE)
    assert repeat.status == "declined" and repeat.related_to == earlier
