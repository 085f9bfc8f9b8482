// Draws the dashboard's charts from the chart options the page carries in a data attribute (the
// same options `arrears report` puts in report.html). No inline script: the CSP allows only 'self'.
(function () {
  var data = document.getElementById("chart-specs");
  if (!data || !window.echarts) { return; }
  var specs = JSON.parse(data.getAttribute("data-specs"));
  var charts = [];
  Object.keys(specs).forEach(function (name) {
    var node = document.getElementById("chart-" + name);
    if (node) {
      var chart = window.echarts.init(node);
      chart.setOption(specs[name]);
      charts.push(chart);
    }
  });
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
