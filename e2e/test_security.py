"""Two-factor login in a real browser (issue 14 item 10): the administrator enrols with
the QR code page on first login, then every login asks for the code. The CSP header
does not break the page (htmx, the language switcher)."""

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from e2e.conftest import login, screenshot

pytestmark = pytest.mark.browser


def _code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def test_admin_enrols_then_logs_in_with_a_code(page, demo, settings):
    settings.HOTLINE_2FA_REQUIRED_ROLES = ["admin", "city_leader"]
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    login(page, "admin")
    page.goto(page.base_url + "/manage/")
    assert page.url.endswith("/account/two-factor/")
    assert page.locator(".qr svg").is_visible()
    screenshot(page, "two-factor-enrol")
    device = TOTPDevice.objects.get(user__username="admin", confirmed=False)
    page.fill("#id_token", _code(device))
    with page.expect_navigation():
        page.press("#id_token", "Enter")
    page.goto(page.base_url + "/manage/")
    assert page.url.endswith("/manage/")
    # Log out and in again: the code is asked after the password.
    page.locator("form[action='/logout/'] button").click()
    page.wait_for_load_state()
    login(page, "admin")
    page.goto(page.base_url + "/manage/")
    assert page.url.endswith("/account/verify/")
    screenshot(page, "two-factor-verify")
    TOTPDevice.objects.filter(user__username="admin").update(
        throttling_failure_count=0, throttling_failure_timestamp=None, last_t=-1
    )
    page.fill("#id_token", _code(TOTPDevice.objects.get(user__username="admin")))
    with page.expect_navigation():
        page.press("#id_token", "Enter")
    page.goto(page.base_url + "/manage/")
    assert page.url.endswith("/manage/")
    assert not [e for e in errors if "Content Security Policy" in e], errors
