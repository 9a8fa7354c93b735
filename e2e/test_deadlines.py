"""Deadline pages in the browser: calendar, policy with citations, calculator (htmx)."""

import pytest

from e2e.conftest import login, screenshot

pytestmark = pytest.mark.browser


def test_calendar_policy_and_calculator(page, demo):
    login(page, "admin")
    page.goto(page.base_url + "/sla/calendar/2024/")
    assert page.locator("td.day.on-makeup").count() >= 2  # 02-04 and 02-18 at least
    screenshot(page, "calendar-2024")
    page.goto(page.base_url + "/sla/calendar/2027/")
    assert page.locator("#no-official").is_visible()
    screenshot(page, "calendar-2027-unofficial")
    page.goto(page.base_url + "/sla/policies/KJ/")
    assert "开江 预警机制 二(一)" in page.locator("#rules").inner_text()
    screenshot(page, "policy-kj")
    page.goto(page.base_url + "/sla/calculator/")
    page.fill("#id_start", "2024-02-08T16:00")
    page.fill("#id_amount", "5")
    page.click("button.primary")
    page.wait_for_selector("#due")
    assert "2024-02-21 17:30" in page.locator("#due").inner_text()
    assert "春节放假" in page.locator(".explain").inner_text()
    screenshot(page, "calculator")
