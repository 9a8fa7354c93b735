"""The supervisor board in the browser: overdue work by unit and a manual reminder."""

import datetime as dt

import pytest
import time_machine

from e2e.conftest import login, screenshot
from hotline.supervision.models import Reminder
from hotline.supervision.services import sweep
from hotline.tickets.demo import build_demo_tickets

pytestmark = pytest.mark.browser


def test_board_and_manual_reminder(page, demo):
    build_demo_tickets(count=80)
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(days=20), tick=True):
        sweep()  # twenty days on, most open work is near due or overdue
    login(page, "supervisor1")
    page.wait_for_url(page.base_url + "/supervision/")
    rows = page.locator("#warned tbody tr")
    assert rows.count() >= 1
    screenshot(page, "supervision-board")
    with page.expect_navigation():
        rows.first.locator("button").click()
    assert "发出催办" in page.locator(".messages").inner_text()
    assert Reminder.objects.filter(kind="manual").count() == 1
