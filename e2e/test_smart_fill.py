"""智能填单 in a real browser (issue 18): an operator pastes a call transcript, accepts the
suggested place, topic and kind with one click each, and saves the ticket."""

import pytest

from e2e.conftest import login, screenshot
from hotline.directory.models import Topic
from hotline.tickets.models import Ticket

pytestmark = pytest.mark.browser

PHONE = "13987654321"
TRANSCRIPT = (
    "您好，我住在城东街道幸福小区3栋，昨天晚上11点楼下餐馆又在排油烟，"
    "福满楼餐饮有限公司一直不装净化器，投诉了好几次都没人管，严重扰民。请尽快查处。"
)
EXAMPLES = {
    "01": ["小区电梯坏了物业不修", "道路井盖缺失", "楼道堆放杂物", "路灯不亮", "房屋漏水"],
    "02": ["餐馆油烟扰民", "楼下饭店油烟直排", "工地夜间施工噪音", "油烟熏人", "烧烤油烟"],
    "03": ["公司拖欠工资", "老板不发工资", "社保没有缴纳", "劳动合同纠纷", "加班不给钱"],
}


@pytest.fixture
def topic_model(demo, settings, tmp_path):
    from hotline.intelligence import services
    from hotline.intelligence.selectors import forget_served_model
    from hotline.intelligence.text import Example

    settings.DATA_DIR = tmp_path
    settings.HOTLINE_MODEL_CHECK_SECONDS = 0
    forget_served_model()
    examples = [
        Example(label=Topic.objects.get(code=code).name, text=text)
        for code, texts in EXAMPLES.items()
        for text in texts
    ]
    services.topic_model_train(examples=examples, source="e2e")
    yield
    forget_served_model()


def test_operator_pastes_a_transcript_and_accepts_suggestions(page, topic_model):
    login(page, "operator1")
    page.wait_for_url(page.base_url + "/intake/")
    page.evaluate("localStorage.clear()")
    page.fill("#id_phone", PHONE)
    page.fill("#id_summary", "楼下餐馆油烟扰民")
    page.fill("#fill-text", TRANSCRIPT)
    panel = page.locator("#fill-suggestions")
    panel.locator("[data-accept=place]").wait_for()
    panel.locator("[data-accept=topic]").wait_for()
    page.wait_for_load_state("networkidle")
    screenshot(page, "intake-smart-fill")
    assert panel.locator("tr[data-field=summary]").get_by_text("已填写").count() == 1

    panel.locator("[data-accept=place]").click()
    assert "幸福小区3栋" in page.input_value("#id_address")
    panel = page.locator("#fill-suggestions")  # the panel refreshes after a change
    panel.locator("[data-accept=topic]").click()
    # level 1 from the model, level 3 from the catalog keywords of that branch (油烟 餐馆)
    assert page.input_value("#id_topic") == str(Topic.objects.get(code="020201").pk)
    page.locator("#fill-suggestions [data-accept=kind]").click()
    assert page.locator("#id_kind input[value=complaint]").is_checked()
    page.locator("#fill [data-accept=transcript]").click()
    page.wait_for_load_state("networkidle")
    screenshot(page, "intake-smart-fill-accepted")

    with page.expect_navigation():
        page.keyboard.press("Alt+S")
    page.wait_for_load_state("networkidle")
    ticket = Ticket.objects.get(citizen__phone=PHONE)
    assert "幸福小区3栋" in ticket.address
    assert ticket.topic.code == "020201" and ticket.kind == "complaint"
    assert ticket.summary == "楼下餐馆油烟扰民"  # what the operator typed stays
    assert "福满楼" in ticket.detail


def test_kind_warning_and_hotspot_page_on_demo_tickets(page, demo):
    """What a fresh demo shows: a ticket recorded with the wrong kind warns the
    dispatcher and the supervisor's review; the analysts' hotspot page has groups."""
    from hotline.accounts.models import User
    from hotline.tickets import services as s
    from hotline.tickets.demo import build_demo_tickets

    build_demo_tickets(count=80)
    wrong = s.ticket_create(
        actor=User.objects.get(username="operator1"),
        phone="13911112222",
        summary="投诉楼下烧烤店油烟扰民",
        detail="每晚营业到凌晨，油烟和噪音扰民，多次投诉没人管。",
        kind="consult",
    )
    login(page, "dispatcher1")
    page.goto(f"{page.base_url}/dispatch/?tab=pending&ticket={wrong.number}")
    page.locator(".kind-check").wait_for()
    assert "登记为咨询" in page.locator(".kind-check").inner_text()
    screenshot(page, "dispatch-kind-check")
    page.wait_for_load_state("networkidle")
    page.context.clear_cookies()

    login(page, "supervisor1")
    page.goto(page.base_url + "/intelligence/kind-review/")
    assert wrong.number in page.locator("#kind-review").inner_text()
    screenshot(page, "kind-review")
    page.wait_for_load_state("networkidle")
    page.context.clear_cookies()

    login(page, "analyst1")
    page.get_by_role("link", name="热点").click()
    page.locator("#hotspots").wait_for()
    assert page.locator("#hotspots tbody tr").count() >= 1
    screenshot(page, "hotspots")
