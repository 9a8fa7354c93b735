"""Each role logs in through a real browser and lands on its own home page."""

import pytest
from django.utils import translation

from e2e.conftest import login, screenshot
from hotline.accounts.models import Role
from hotline.accounts.navigation import SECTION_BY_KEY
from hotline.accounts.permissions import ROLE_HOME

pytestmark = pytest.mark.browser


def test_login_page(page, demo):
    page.goto(page.base_url + "/intake/")
    assert page.url.startswith(page.base_url + "/login/")
    assert page.locator("h1").inner_text() == "12345政务服务便民热线"
    screenshot(page, "login")


def test_wrong_password_shows_error(page, demo):
    with pytest.raises(AssertionError, match="login as operator1 failed"):
        login(page, "operator1", "wrong-password")
    assert page.locator("[role=alert]").is_visible()
    assert "/login/" in page.url


@pytest.mark.parametrize("role", Role.values)
def test_role_lands_on_home(page, users, role):
    user = users[role]
    login(page, user.username)
    home = ROLE_HOME[role]
    assert page.url == f"{page.base_url}/{home}/"
    with translation.override("zh-hans"):
        expected = str(SECTION_BY_KEY[home].label)
    assert page.locator("main h1").inner_text() == expected
    assert page.locator('nav.sections a[aria-current="page"]').inner_text().startswith(expected)
    screenshot(page, f"home-{role}")


def test_keyboard_only_login_and_search(page, demo):
    """No mouse: type, Tab, Enter; '/' focuses search; results update as you type (htmx)."""
    page.goto(page.base_url + "/login/")
    page.keyboard.type("dispatcher1")
    page.keyboard.press("Tab")
    page.keyboard.type("dispatcher1@12345")
    page.keyboard.press("Enter")
    page.wait_for_url(page.base_url + "/dispatch/")
    page.keyboard.press("Alt+8")
    page.wait_for_url(page.base_url + "/directory/")
    page.keyboard.press("/")
    page.keyboard.type("梅岭")
    page.wait_for_function("() => !document.querySelector('#tree').innerText.includes('市教育局')")
    assert "梅岭村村民委员会" in page.locator("#tree").inner_text()
    screenshot(page, "directory-search")


def test_logout(page, demo):
    login(page, "visitor1")
    page.click("text=退出")
    page.wait_for_url(page.base_url + "/login/")
    page.goto(page.base_url + "/visits/")
    assert "/login/" in page.url
