/* The SKU page's charts: the stored timeline's days (data-kind timeline / risk) as served, and
   the sales history with its forecast. Nothing is projected here: every value is the timeline's. */
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
  function arrivals(t) {
    var dates = [], labels = [];
    (t.date || []).forEach(function (day, i) {
      if (t.arrivals[i] > 0) { dates.push(day); labels.push("+" + t.arrivals[i].toLocaleString()); }
    });
    return { dates: dates, labels: labels };
  }
  function timelineSpec(t) {
    var qty = (t.quantity || [0])[0];
    var a = arrivals(t);
    var series = [
      { type: "band", key: "band_without", dates: t.date, lo: t.on_hand_p10_without, hi: t.on_hand_p90_without, color: "#c0392b", label: "No shipment P10–P90" },
      { type: "line", key: "on_hand_p50_without", dates: t.date, values: t.on_hand_p50_without, color: "#c0392b", dash: "6 4", label: "On hand, no shipment (median)" }
    ];
    if (qty > 0) {
      series.push({ type: "band", key: "band_with", dates: t.date, lo: t.on_hand_p10_with, hi: t.on_hand_p90_with, color: "#23845a", label: "With " + qty.toLocaleString() + " P10–P90" });
      series.push({ type: "line", key: "on_hand_p50_with", dates: t.date, values: t.on_hand_p50_with, color: "#23845a", label: "On hand with " + qty.toLocaleString() + " (median)" });
    }
    series.push({ type: "line", key: "demand_p50", dates: t.date, values: t.demand_p50, color: "#64748b", width: 1, label: "Demand per day (median)" });
    if (a.dates.length) series.push({ type: "vline", key: "arrivals", dates: a.dates, labels: a.labels, color: "#2457d6", label: "arrivals" });
    if (t.upstream_on_hand) {
      /* two-stage SKUs: what is upstream after this shipment, and what lands there */
      series.push({ type: "line", key: "upstream_on_hand", dates: t.date, values: t.upstream_on_hand, color: "#7c3aed", dash: "2 3", label: "Upstream (warehouse, AWD) after this shipment" });
      var ud = [], ul = [];
      t.date.forEach(function (day, i) {
        if (t.upstream_arrivals[i] > 0) { ud.push(day); ul.push("+" + t.upstream_arrivals[i].toLocaleString() + " upstream"); }
      });
      if (ud.length) series.push({ type: "vline", key: "upstream_arrivals", dates: ud, labels: ul, color: "#7c3aed", label: "upstream arrivals" });
    }
    if (t.order_arrives_on && t.order_arrives_on[0]) {
      series.push({ type: "vline", key: "supplier_order", dates: [t.order_arrives_on[0]], color: "#b45309", label: "+" + t.order_quantity[0].toLocaleString() + " if ordered today (upstream)" });
    }
    if (qty > 0 && t.arrives_if_shipped_today && t.arrives_if_shipped_today[0]) {
      series.push({ type: "vline", key: "ship_today", dates: [t.arrives_if_shipped_today[0]], color: "#23845a", label: "+" + qty.toLocaleString() + " if sent today" });
    }
    return { yLabel: "Units on hand (morning)", series: series, empty: "No timeline yet" };
  }
  function pct(values) { return (values || []).map(function (v) { return v === null ? null : v * 100; }); }
  function riskSpec(t) {
    var qty = (t.quantity || [0])[0];
    var series = [{ type: "line", key: "stockout_prob_without", dates: t.date, values: pct(t.stockout_prob_without), color: "#c0392b", dash: "6 4", label: "No shipment, %" }];
    if (qty > 0) series.push({ type: "line", key: "stockout_prob_with", dates: t.date, values: pct(t.stockout_prob_with), color: "#23845a", label: "With " + qty.toLocaleString() + ", %" });
    return { yLabel: "Out of stock, % chance", yMax: 100, series: series, empty: "No timeline yet" };
  }
  var SPECS = { sales: salesSpec, timeline: timelineSpec, risk: riskSpec };
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".chart[data-chart]").forEach(function (node) {
      var data = JSON.parse(node.getAttribute("data-chart"));
      var spec = SPECS[node.getAttribute("data-kind")] || salesSpec;
      window.FBAChart.mount(node, function () { return spec(data); });
      node.setAttribute("data-drawn", "1");
    });
  });
})();
