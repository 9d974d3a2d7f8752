/* The SKU page's two charts, built from the JSON in each chart's data-chart attribute. */
(function () {
  "use strict";
  function salesSpec(d) {
    var h = d.history, f = d.forecast;
    var outDays = h.dates.filter(function (_, i) { return h.stockout[i]; });
    return {
      yLabel: "Units per day",
      series: [
        { type: "marks", key: "stockout", dates: outDays, color: "#c0392b", label: "Out of stock" },
        { type: "bars", key: "sales", dates: h.dates, values: h.units, color: "#64748b", label: "Units sold", unit: "units" },
        { type: "band", key: "band", dates: f.dates, lo: f.p10, hi: f.p90, color: "#2457d6", label: "Forecast P10–P90" },
        { type: "line", key: "forecast", dates: f.dates, values: f.mean, color: "#2457d6", label: "Forecast (mean)" }
      ]
    };
  }
  function stockSpec(d) {
    var h = d.history, p = d.projection;
    var series = [
      { type: "line", key: "stock", dates: h.dates, values: h.stock, color: "#64748b", label: "Fulfillable (history)" },
      { type: "line", key: "without", dates: p.dates, values: p.without, color: "#c0392b", dash: "6 4", label: "Projected, no shipment" },
      { type: "line", key: "with", dates: p.dates, values: p["with"], color: "#23845a", label: "Projected, with " + (p.qty || 0) + " units" }
    ];
    if (p.arrival) series.push({ type: "vline", dates: [p.arrival], color: "#23845a", label: "arrives" });
    return { yLabel: "Units in stock", series: series, empty: "No forecast yet" };
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".chart[data-chart]").forEach(function (node) {
      var data = JSON.parse(node.getAttribute("data-chart"));
      var kind = node.getAttribute("data-kind");
      window.FBAChart.mount(node, function () { return kind === "stock" ? stockSpec(data) : salesSpec(data); });
      node.setAttribute("data-drawn", "1");
    });
  });
})();
