"""The online queue and the channel settings in the browser (R-IN-1, R-IN-4)."""

import pytest
from django.core.files.base import ContentFile

from e2e.conftest import login, screenshot
from hotline.channels import services
from hotline.channels.models import OnlineRequest
from hotline.tickets.models import Ticket

pytestmark = pytest.mark.browser
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_operator_reviews_online_requests(page, demo, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    mail = services.online_request_create(
        channel="mailbox",
        subject="小区门口路灯不亮",
        body="青溪路 12 号门口的路灯坏了一个月，晚上很黑。",
        email="zhang@example.org",
        name="张三",
        external_id="<e2e-1@example.org>",
        files=[ContentFile(PNG, name="现场.png")],
        dropped=[{"name": "发票.exe", "reason": "不支持的附件类型「.exe」"}],
    )
    services.online_request_create(
        channel="sms", subject="", body="人民路 3 号井盖丢了", phone="13800006666"
    )
    login(page, "operator1")
    page.click("nav.sections >> text=网上诉求审核")
    assert page.locator("#online-queue tbody tr").count() == 2
    screenshot(page, "channels-online-queue")
    page.click(f"text={mail.number}")
    assert "发票.exe" in page.locator("#dropped").inner_text()
    page.fill("#accept-form [name=summary]", "青溪路 12 号路灯损坏一个月")
    page.fill("#accept-form [name=place]", "青溪路 12 号")
    screenshot(page, "channels-online-review")
    with page.expect_navigation():
        page.click("#accept-form button")
    ticket = Ticket.objects.get(channel="mailbox")
    assert ticket.number in page.locator(".messages").inner_text()
    assert ticket.summary == "青溪路 12 号路灯损坏一个月"
    assert OnlineRequest.objects.filter(state="pending").count() == 1


def test_administrator_closes_a_channel(page, demo):
    login(page, "admin")
    page.click("text=开放或关闭受理渠道")
    row = page.locator("#channel-wechat")
    row.locator("input[name=open]").uncheck()
    row.locator("input[name=closed_message]").fill("微信渠道维护中，请拨打 12345")
    with page.expect_navigation():
        row.locator("button").click()
    assert "已关闭" in page.locator("#channel-wechat").inner_text()
    screenshot(page, "channels-settings")
