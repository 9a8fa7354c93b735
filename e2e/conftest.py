"""Browser tests: Playwright drives Debian's Chromium against pytest-django's live server.

A missing browser fails the run (never a silent skip): `make test` installs it.
"""

import os
import shutil
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests
# make between browser steps are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("HOTLINE_CHROMIUM", "/usr/bin/chromium")
SCREENSHOT_DIR = os.environ.get("HOTLINE_SCREENSHOT_DIR")


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        pytest.fail(f"no Chromium at {CHROMIUM}: run `make test` or apt-get install chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    context.set_default_timeout(20_000)  # CI machines can be busy
    page = context.new_page()
    page.base_url = live_server.url
    yield page
    context.close()


def screenshot(page, name: str) -> None:
    """Save a screenshot for docs/ when HOTLINE_SCREENSHOT_DIR is set (`make screenshots`)."""
    if SCREENSHOT_DIR:
        Path(SCREENSHOT_DIR).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SCREENSHOT_DIR) / f"{name}.png"), full_page=False)


def login(page, username: str, password: str | None = None) -> None:
    page.goto(page.base_url + "/login/")
    if "/login/" not in page.url:
        raise AssertionError(f"still logged in: /login/ went on to {page.url}")
    page.fill("#id_username", username)
    page.fill("#id_password", password or f"{username}@12345")
    with page.expect_navigation():
        page.press("#id_password", "Enter")
    page.wait_for_load_state()
    if "/login/" in page.url:  # say why, instead of timing out further on
        alert = page.locator("[role=alert]")
        reason = alert.inner_text() if alert.count() else page.content()[:500]
        raise AssertionError(f"login as {username} failed: {reason}")
