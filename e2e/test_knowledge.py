"""The knowledge base in the browser (R-KB, R-HM-1): an operator types a consultation,
picks the suggested entry and answers at once; the ticket links the entry version. Then
a works notice at intake, and a unit's entry going through review."""

import pytest

from e2e.conftest import login, screenshot
from hotline.knowledge.demo import build_demo_knowledge
from hotline.knowledge.models import Entry, EntryUse, Status
from hotline.tickets.models import IntakeOutcome, Ticket

pytestmark = pytest.mark.browser


@pytest.fixture
def kb(demo):
    build_demo_knowledge()


def test_operator_answers_now_from_the_suggested_entry(page, kb):
    login(page, "operator1")
    page.evaluate("localStorage.clear()")
    page.fill("#id_phone", "13800005678")
    page.check("#id_kind input[value=consult]")
    page.fill("#id_summary", "咨询住房公积金提取")
    page.fill("#id_detail", "想用公积金买房，需要带什么材料，去哪里办")
    page.select_option("#id_topic", label="城乡建设 > 住房 > 物业管理")  # 诉求分类 is required
    first = page.locator("#kb-results .kb-result").first
    first.wait_for()
    assert "公积金" in first.locator(".kb-title").inner_text()
    assert first.locator("mark").count() >= 1
    page.wait_for_load_state("networkidle")
    screenshot(page, "knowledge-intake")
    version = int(first.get_attribute("data-version"))
    first.locator("button.kb-use").click()
    assert page.locator("#id_handling input[value=answer_now]").is_checked()
    assert "公积金" in page.input_value("#id_answer")
    with page.expect_navigation():
        page.keyboard.press("Alt+S")
    page.wait_for_load_state("networkidle")
    assert "msg-success" in page.content()
    ticket = Ticket.objects.get(citizen__phone="13800005678")
    assert ticket.intake_outcome == IntakeOutcome.ANSWER_NOW
    use = EntryUse.objects.get(ticket=ticket)
    assert use.version_id == version and "公积金" in ticket.answer
    page.goto(f"{page.base_url}/tickets/{ticket.number}/")
    link = page.locator("#knowledge-link a")
    assert "公积金" in link.inner_text()
    link.click()
    page.wait_for_load_state()
    assert page.locator("#version-answer").inner_text().strip() == ticket.answer.strip()


def test_works_notice_first_and_unreleased_policy_marked(page, kb):
    login(page, "operator1")
    page.evaluate("localStorage.clear()")
    page.fill("#id_summary", "家里没水了，什么时候来水")
    page.fill("#id_address", "滨江路18号江滨花园")
    notice = page.locator("#kb-results .kb-notice").first
    notice.wait_for()
    assert "停水" in notice.inner_text()
    page.wait_for_load_state("networkidle")
    screenshot(page, "knowledge-intake-works")
    page.fill("#id_summary", "老旧小区加装电梯有没有补助")
    page.fill("#id_address", "")
    page.locator("#kb-results .kb-unreleased").first.wait_for()
    assert "未公开, 口径仅供内部" in page.locator("#kb-results").inner_text()


def test_unit_submits_and_hotline_publishes(page, kb):
    login(page, "zjj_clerk")
    page.goto(page.base_url + "/knowledge/new/")
    page.select_option("#id_kind", "qa")
    page.fill("#id_title", "住房租赁备案办理")
    page.fill("#id_answer", "出租房屋应在签订合同后30日内到市民中心住建窗口办理租赁备案。")
    page.fill("#id_keywords", "租赁、备案、出租")
    screenshot(page, "knowledge-entry-form")
    with page.expect_navigation():
        page.click("button[name=submit]")
    entry = Entry.objects.get(latest_version__title="住房租赁备案办理")
    assert entry.status == Status.SUBMITTED
    page.context.clear_cookies()
    login(page, "supervisor1")
    page.goto(page.base_url + "/knowledge/review/")
    page.locator("#awaiting a", has_text="住房租赁备案办理").click()
    page.wait_for_load_state()
    screenshot(page, "knowledge-review")
    with page.expect_navigation():
        page.click("#approve")
    entry.refresh_from_db()
    assert entry.status == Status.PUBLISHED
    page.goto(page.base_url + "/knowledge/?q=出租房屋备案")
    assert "住房租赁备案办理" in page.locator(".kb-results").inner_text()
    screenshot(page, "knowledge-search")
    page.goto(page.base_url + "/knowledge/figures/")
    assert page.locator("#upkeep").is_visible()
    screenshot(page, "knowledge-figures")
