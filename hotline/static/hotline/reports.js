// The leaders' dashboard (hotline/reports): every [data-chart] element is drawn with
// ECharts from the JSON beside it; a click on a bar or point opens the tickets behind it.
// The same numbers are in the table under each chart, so nothing depends on this script.
(function () {
  function draw(el) {
    var source = document.getElementById(el.getAttribute("data-chart"));
    if (!source || !window.echarts) return;
    var chart = JSON.parse(source.textContent);
    var rows = chart.rows || [];
    var series = [{
      name: chart.title, type: chart.type, data: rows.map(function (r) { return r.value; }),
      itemStyle: { color: "#1d5fbf" }, cursor: "pointer"
    }];
    if (rows.length && rows[0].previous !== undefined) {
      series.push({ name: "去年同期", type: chart.type, data: rows.map(function (r) { return r.previous; }),
        itemStyle: { color: "#9aa5b1" }, lineStyle: { type: "dashed" } });
    }
    var horizontal = chart.type === "bar" && rows.length > 6;
    var categories = { type: "category", data: rows.map(function (r) { return r.label; }),
      axisLabel: { interval: 0, hideOverlap: true } };
    var values = { type: "value", name: chart.unit };
    var instance = window.echarts.init(el, null, { renderer: "svg" });
    instance.setOption({
      aria: { enabled: true, label: { description: el.getAttribute("aria-label") } },
      animation: false,
      tooltip: { trigger: "axis" },
      legend: { show: series.length > 1, top: 0 },
      grid: { left: horizontal ? 150 : 45, right: 20, top: 30, bottom: 40, containLabel: false },
      xAxis: horizontal ? values : categories,
      yAxis: horizontal ? Object.assign({}, categories, { inverse: true }) : values,
      series: series
    });
    instance.on("click", function (params) {
      var row = rows[params.dataIndex];
      if (row && row.link) window.location.href = row.link;
    });
    window.addEventListener("resize", function () { instance.resize(); });
  }
  function all() { document.querySelectorAll("[data-chart]").forEach(draw); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", all);
  else all();
})();
