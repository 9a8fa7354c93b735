"""Ticket list and detail in the browser, on demo tickets."""

import pytest

from e2e.conftest import login, screenshot
from hotline.tickets.demo import build_demo_tickets
from hotline.tickets.models import Ticket

pytestmark = pytest.mark.browser


def test_unit_clerk_sees_own_tickets_and_a_deadline_explanation(page, demo):
    build_demo_tickets(count=60)
    login(page, "zjj_clerk")
    page.keyboard.press("Alt+0")
    page.wait_for_url(page.base_url + "/tickets/")
    rows = page.locator("table.table tbody tr")
    assert rows.count() >= 1
    screenshot(page, "tickets-list")
    ticket = Ticket.objects.filter(
        assignments__unit__code="QX-ZJJ", assignments__active=True, status="handling"
    ).first()
    assert ticket is not None
    page.goto(f"{page.base_url}/tickets/{ticket.number}/")
    page.click("summary")
    assert "受理当日不计入" in page.locator(".explain").first.inner_text()
    screenshot(page, "ticket-detail")
