"""The leaders' dashboard in the browser (R-DA-3): the mayor lands on it, clicks a unit's
bar in the score chart and lands on that unit's tickets."""

import pytest

from e2e.conftest import login, screenshot
from hotline.reports.demo import build_demo_reports
from hotline.tickets.demo import build_demo_tickets

pytestmark = pytest.mark.browser

# The pixel of the first bar of a chart, from ECharts' own coordinate conversion.
FIRST_BAR = """(key) => {
  const el = document.getElementById('chart-' + key);
  el.scrollIntoView({block: 'center'});
  const chart = echarts.getInstanceByDom(el);
  const option = chart.getOption();
  const horizontal = option.yAxis[0].type === 'category';
  const value = option.series[0].data[0];
  const label = (horizontal ? option.yAxis[0] : option.xAxis[0]).data[0];
  const at = horizontal ? [value / 2, label] : [label, value / 2];
  const point = chart.convertToPixel({seriesIndex: 0}, at);
  const box = el.getBoundingClientRect();
  return {x: box.left + point[0], y: box.top + point[1], label: label};
}"""


def test_R_DA_3_mayor_clicks_a_units_bar_and_lands_on_its_tickets(page, demo):
    build_demo_tickets(count=120)
    build_demo_reports()
    login(page, "mayor")
    page.wait_for_url(page.base_url + "/reports/")
    page.wait_for_selector("#chart-score svg")
    assert page.locator("#rates-table tbody tr").count() >= 2
    # Every chart has an accessible text and its numbers beside it.
    assert page.locator("#chart-score").get_attribute("aria-label").startswith("各单位考核得分")
    screenshot(page, "reports-dashboard")
    bar = page.evaluate(FIRST_BAR, "score")
    with page.expect_navigation():
        page.mouse.click(bar["x"], bar["y"])
    assert "/reports/tickets/" in page.url
    assert bar["label"] in page.locator("h1").inner_text()
    assert page.locator("#drill-tickets tbody tr a").count() >= 1
    screenshot(page, "reports-drill")


def test_R_AS_2_assessment_page_and_public_results(page, demo):
    build_demo_tickets(count=60)
    build_demo_reports()
    login(page, "analyst1")
    page.goto(page.base_url + "/reports/assessment/")
    assert page.locator("table.assessment").count() >= 1
    screenshot(page, "reports-assessment")
    page.goto(page.base_url + "/results/")
    assert page.locator("#public-ranking tbody tr").count() >= 1
