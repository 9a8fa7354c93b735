"""The citizen portal in a real browser at 360 px (R-IN-1, R-FB-1, R-FB-2): a citizen
proves their phone, submits with a photo and gets a number; an operator accepts it from
the online queue; the unit replies; the citizen tracks it and rates it online."""

import pytest

from e2e.conftest import login, screenshot
from e2e.test_workbench import settle, submit
from hotline.accounts.models import User
from hotline.channels.models import OnlineRequest
from hotline.directory.models import Unit
from hotline.portal.tests.conftest import PNG, last_code
from hotline.tickets.models import Visit
from hotline.tickets.tests.conftest import Flow

pytestmark = pytest.mark.browser
PHONE = "13912345678"


@pytest.fixture
def phone_page(browser, live_server, monkeypatch):
    from captcha.conf import settings as captcha_settings

    # The CAPTCHA image is drawn and shown; the browser cannot read it, so the test mode
    # answer is accepted (the only switch; it is off unless HOTLINE_CAPTCHA_TEST_MODE).
    monkeypatch.setattr(captcha_settings, "CAPTCHA_TEST_MODE", True)
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, locale="zh-CN", is_mobile=True
    )
    context.set_default_timeout(20_000)
    page = context.new_page()
    page.base_url = live_server.url
    yield page
    context.close()


def test_submit_track_and_rate_on_a_phone(phone_page, page, demo, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    citizen = phone_page
    citizen.goto(citizen.base_url + "/portal/")
    screenshot(citizen, "portal-home")
    submit(citizen, lambda: citizen.click("text=我要反映"))
    citizen.fill("#id_phone", PHONE)
    assert citizen.locator("img.captcha").evaluate("img => img.naturalWidth") > 0
    citizen.fill("#id_captcha_1", "PASSED")
    screenshot(citizen, "portal-verify")
    submit(citizen, lambda: citizen.click("text=获取短信验证码"))
    citizen.fill("#id_code", last_code(PHONE))
    submit(citizen, lambda: citizen.click("button:has-text('确认')"))
    assert citizen.url.endswith("/portal/submit/")
    citizen.select_option("#id_kind", "complaint")
    citizen.fill("#id_subject", "人行道井盖缺失")
    citizen.fill("#id_body", "青溪路 12 号门前人行道井盖缺失，晚上很危险。")
    citizen.fill("#id_place", "青溪路 12 号")
    citizen.fill("#id_name", "李四")
    citizen.check("input[name=reply_channel][value=web]")
    citizen.set_input_files(
        "#id_files", files=[{"name": "hole.png", "mimeType": "image/png", "buffer": PNG}]
    )
    citizen.fill("#id_captcha_1", "PASSED")
    screenshot(citizen, "portal-submit")
    width = citizen.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"the page scrolls sideways at 360 px ({width} px)"
    submit(citizen, lambda: citizen.click("button:has-text('提交')"))
    online = OnlineRequest.objects.get(phone=PHONE)
    assert citizen.inner_text("#number") == online.number
    assert online.attachments.count() == 1
    screenshot(citizen, "portal-submitted")

    # 受理审核: the operator accepts it from the online queue.
    login(page, "operator1")
    page.goto(f"{page.base_url}/channels/online/{online.pk}/")
    submit(page, lambda: page.click("#accept-form button.primary"))
    online.refresh_from_db()
    ticket = online.ticket
    assert ticket is not None and ticket.channel == "web"

    # The unit handles and replies (their pages have their own browser tests).
    flow = Flow(
        {u.username: u for u in User.objects.select_related("unit")},
        {u.code: u for u in Unit.objects.all()},
    )
    flow.dispatch(ticket)
    flow.sign(ticket)
    flow.reply(ticket, text="已于当日补装井盖并设置警示标志。")
    flow.approve_reply(ticket)
    flow.complete(ticket)

    citizen.goto(citizen.base_url + "/portal/track/")
    citizen.fill("#id_number", ticket.number)
    submit(citizen, lambda: citizen.click("button:has-text('查询')"))
    timeline = citizen.inner_text(".timeline")
    assert "已转交承办单位" in timeline and "补装井盖" in timeline
    screenshot(citizen, "portal-track")
    citizen.check("input[name=satisfaction][value=satisfied]")
    citizen.check("input[name=unit_satisfaction][value=satisfied]")
    citizen.check("input[name=operator_satisfaction][value=satisfied]")
    citizen.check("input[name=resolved][value='1']")
    citizen.locator(".rate").scroll_into_view_if_needed()
    screenshot(citizen, "portal-rate")
    submit(citizen, lambda: citizen.click("button:has-text('提交评价')"))
    assert "感谢您的评价" in citizen.content()
    visit = Visit.objects.get(ticket=ticket)
    assert visit.channel == "web" and visit.satisfaction == "satisfied"
    settle(citizen)
