// Draws each dashboard chart from the ECharts option the server wrote next to it (json_script), in Chinese.
// Animation is off when the reader (or a test's browser) asks for reduced motion.
(function () {
  "use strict";
  var still = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  var locale = document.documentElement.lang && document.documentElement.lang.indexOf("zh") === 0 ? "ZH" : "EN";
  var charts = [];
  document.querySelectorAll("[data-chart]").forEach(function (el) {
    var source = document.getElementById(el.dataset.chart);
    if (!source || typeof echarts === "undefined") return;
    var option = JSON.parse(source.textContent);
    option.animation = !still;
    // On a phone (a chart under 500 px wide) category labels slant and are cut to a readable width, with room below.
    if (el.clientWidth < 500 && option.xAxis && option.xAxis.type === "category") {
      option.xAxis.axisLabel = Object.assign({}, option.xAxis.axisLabel, {
        interval: 0, rotate: 45, width: 72, overflow: "truncate", fontSize: 11
      });
      option.grid = Object.assign({}, option.grid, { bottom: 84, left: 36 });
    }
    var chart = echarts.init(el, null, { locale: locale, renderer: "canvas" });
    chart.setOption(option);
    charts.push(chart);
  });
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
  document.documentElement.dataset.chartsReady = String(charts.length);
})();
