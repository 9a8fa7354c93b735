"""An emergency call in the browser: the banner appears at the top while the operator
types, without scrolling at 1366×768, and one key transfers and records it (R-IN-4,
ZS 13(一)); the supervisor board then shows the report until acknowledged (R-DA-5)."""

import pytest

from e2e.conftest import login, screenshot
from hotline.emergencies.models import EmergencyReport
from hotline.tickets.models import Ticket

pytestmark = pytest.mark.browser

PHONE = "13700009119"


def test_emergency_transfer_from_intake(page, demo):
    login(page, "operator1")
    page.evaluate("localStorage.clear()")
    page.fill("#id_phone", PHONE)
    page.fill("#id_address", "江滨路8号3楼")
    page.fill("#id_summary", "楼下饭店厨房着火，浓烟很大")
    button = page.locator(".emergency-transfer[value='119']")
    button.wait_for()
    box = button.bounding_box()
    assert box is not None and box["y"] + box["height"] <= 768  # visible without scrolling
    assert page.evaluate("window.scrollY") == 0
    page.wait_for_load_state("networkidle")
    screenshot(page, "emergency-banner")
    with page.expect_navigation():
        page.keyboard.press("Alt+J")
    page.wait_for_load_state("networkidle")
    assert "msg-success" in page.content()
    ticket = Ticket.objects.get(citizen__phone=PHONE)
    assert (ticket.decline_reason, ticket.urgency) == ("emergency", "urgent")
    assert page.input_value("#id_summary") == ""  # the draft was cleared
    assert EmergencyReport.objects.filter(ticket=ticket, service="119").exists()

    page.context.clear_cookies()
    login(page, "supervisor1")
    board = page.locator("#emergency-board")
    assert ticket.number in board.inner_text()
    screenshot(page, "emergency-board")
    with page.expect_navigation():
        board.locator("button", has_text="确认收到").click()
    assert page.locator("#emergency-board").count() == 0
