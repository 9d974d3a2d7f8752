/* FBAChart: a small hand-written SVG time-series chart (bars, bands, lines, shaded days, markers).
   No dependencies and nothing inline, so the page's strict Content-Security-Policy holds. */
(function (global) {
  "use strict";
  var NS = "http://www.w3.org/2000/svg";
  var DAY = 86400000;
  var MONTHS = ["Jan","Feb","Mar","Apr","May","Jun","Jul","Aug","Sep","Oct","Nov","Dec"];

  function el(name, attrs, parent) {
    var node = document.createElementNS(NS, name);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (parent) parent.appendChild(node);
    return node;
  }
  function dayNum(iso) { return Math.round(Date.parse(iso + "T00:00:00Z") / DAY); }
  function label(day) { var d = new Date(day * DAY); return MONTHS[d.getUTCMonth()] + " " + d.getUTCDate(); }
  function niceMax(v) {
    if (!(v > 0)) return 1;
    var p = Math.pow(10, Math.floor(Math.log10(v))), n = v / p;
    return (n <= 1 ? 1 : n <= 2 ? 2 : n <= 2.5 ? 2.5 : n <= 5 ? 5 : 10) * p;
  }
  function fmt(v) {
    if (v === null || v === undefined || isNaN(v)) return "–";
    return Math.abs(v) >= 100 ? Math.round(v).toLocaleString() : (Math.round(v * 10) / 10).toString();
  }

  function draw(container, spec) {
    while (container.firstChild) container.removeChild(container.firstChild);
    var W = container.clientWidth || 800, H = container.clientHeight || 300;
    var m = { l: 52, r: 18, t: 30, b: 30 };
    var svg = el("svg", { viewBox: "0 0 " + W + " " + H, "class": "fba-chart", preserveAspectRatio: "none" }, container);
    var series = (spec.series || []).filter(function (s) { return s.dates && s.dates.length; });
    var days = [], ymax = 0;
    series.forEach(function (s) {
      s._d = s.dates.map(dayNum);
      days = days.concat(s._d);
      ["values", "hi"].forEach(function (k) {
        (s[k] || []).forEach(function (v) { if (v !== null && v > ymax) ymax = v; });
      });
    });
    if (!days.length) {
      el("text", { x: W / 2, y: H / 2, "text-anchor": "middle", "class": "empty-note" }, svg).textContent = spec.empty || "No data yet";
      return svg;
    }
    var x0 = Math.min.apply(null, days) - 0.5, x1 = Math.max.apply(null, days) + 0.5;
    var y1 = spec.yMax || niceMax(ymax * 1.05);
    var pw = W - m.l - m.r, ph = H - m.t - m.b;
    var X = function (d) { return m.l + (d - x0) / (x1 - x0) * pw; };
    var Y = function (v) { return m.t + ph - (v / y1) * ph; };
    var bw = Math.max(1, pw / (x1 - x0) - 1);

    var grid = el("g", { "class": "grid" }, svg), axis = el("g", { "class": "axis" }, svg);
    for (var i = 0; i <= 4; i++) {
      var v = y1 * i / 4, y = Y(v);
      el("line", { x1: m.l, x2: W - m.r, y1: y, y2: y }, grid);
      el("text", { x: m.l - 6, y: y + 4, "text-anchor": "end" }, axis).textContent = fmt(v);
    }
    var step = Math.max(1, Math.ceil((x1 - x0) / Math.max(2, Math.floor(pw / 80))));
    for (var d = Math.ceil(x0); d <= x1; d += step) {
      el("text", { x: X(d), y: H - m.b + 16, "text-anchor": "middle" }, axis).textContent = label(d);
    }
    if (spec.yLabel) {
      el("text", { x: m.l, y: m.t - 12, "text-anchor": "start" }, axis).textContent = spec.yLabel;
    }

    var plot = el("g", { "class": "plot" }, svg);
    series.forEach(function (s) {
      var g = el("g", { "class": "series series-" + s.type, "data-series": s.key || s.type }, plot);
      if (s.type === "marks") {
        s._d.forEach(function (d) {
          el("rect", { x: X(d - 0.5), y: m.t, width: Math.max(1, X(d + 0.5) - X(d - 0.5)), height: ph, fill: s.color, "fill-opacity": 0.16 }, g);
        });
      } else if (s.type === "bars") {
        s._d.forEach(function (d, k) {
          var v = s.values[k] || 0;
          if (v <= 0) return;
          var r = el("rect", { x: X(d) - bw / 2, y: Y(v), width: bw, height: Y(0) - Y(v), fill: s.color }, g);
          el("title", {}, r).textContent = label(d) + ": " + fmt(v) + " " + (s.unit || "");
        });
      } else if (s.type === "band") {
        var top = s._d.map(function (d, k) { return X(d) + "," + Y(s.hi[k]); });
        var bottom = s._d.map(function (d, k) { return X(d) + "," + Y(s.lo[k]); }).reverse();
        el("polygon", { points: top.concat(bottom).join(" "), fill: s.color, "fill-opacity": 0.18, stroke: "none" }, g);
      } else if (s.type === "line") {
        var pts = [];
        s._d.forEach(function (d, k) { if (s.values[k] !== null && s.values[k] !== undefined) pts.push(X(d) + "," + Y(s.values[k])); });
        if (pts.length) {
          el("polyline", { points: pts.join(" "), fill: "none", stroke: s.color, "stroke-width": s.width || 2,
                           "stroke-dasharray": s.dash || "none", "stroke-linejoin": "round" }, g);
        }
      } else if (s.type === "vline") {
        s._d.forEach(function (d, k) {
          var vx = X(d), text = s.labels ? s.labels[k] : s.label;
          el("line", { x1: vx, x2: vx, y1: m.t, y2: m.t + ph, stroke: s.color, "stroke-width": 1.5, "stroke-dasharray": "4 3" }, g);
          el("text", { x: vx + 4, y: m.t + 12 + (k % 3) * 12, fill: s.color, "font-size": 11 }, g).textContent = text;
        });
      }
    });

    var legend = el("g", { "class": "legend" }, svg), lx = m.l + 150;
    series.forEach(function (s) {
      if (!s.label || s.type === "vline") return;
      el("rect", { x: lx, y: 8, width: 12, height: 10, fill: s.color, "fill-opacity": s.type === "band" || s.type === "marks" ? 0.3 : 1 }, legend);
      var t = el("text", { x: lx + 16, y: 17 }, legend);
      t.textContent = s.label;
      lx += 28 + s.label.length * 6.4;
    });

    // Hover read-out: the nearest day's values.
    var hover = el("g", { "class": "hover", visibility: "hidden" }, svg);
    var hl = el("line", { y1: m.t, y2: m.t + ph, stroke: "#9ca3af" }, hover);
    var box = el("rect", { rx: 4, fill: "#111827", "fill-opacity": 0.88 }, hover);
    var txt = el("text", { fill: "#fff", "font-size": 11 }, hover);
    var overlay = el("rect", { x: m.l, y: m.t, width: pw, height: ph, fill: "transparent" }, svg);
    overlay.addEventListener("mousemove", function (ev) {
      var rect = svg.getBoundingClientRect();
      var px = (ev.clientX - rect.left) * (W / rect.width);
      var day = Math.round(x0 + (px - m.l) / pw * (x1 - x0));
      var lines = [label(day)];
      series.forEach(function (s) {
        var k = s._d.indexOf(day);
        if (k < 0 || !s.label) return;
        if (s.type === "band") lines.push(s.label + ": " + fmt(s.lo[k]) + "–" + fmt(s.hi[k]));
        else if (s.type === "marks") lines.push(s.label);
        else if (s.values) lines.push(s.label + ": " + fmt(s.values[k]));
      });
      while (txt.firstChild) txt.removeChild(txt.firstChild);
      lines.forEach(function (line, n) {
        var ts = el("tspan", { x: 0, dy: n ? 14 : 0 }, txt);
        ts.textContent = line;
      });
      var hx = X(day), wide = 190, tall = lines.length * 14 + 8;
      var bx = hx + 10 + wide > W ? hx - wide - 10 : hx + 10;
      hl.setAttribute("x1", hx); hl.setAttribute("x2", hx);
      box.setAttribute("x", bx); box.setAttribute("y", m.t + 4); box.setAttribute("width", wide); box.setAttribute("height", tall);
      txt.setAttribute("transform", "translate(" + (bx + 8) + "," + (m.t + 18) + ")");
      txt.querySelectorAll("tspan").forEach(function (ts) { ts.setAttribute("x", 0); });
      hover.setAttribute("visibility", "visible");
    });
    overlay.addEventListener("mouseleave", function () { hover.setAttribute("visibility", "hidden"); });
    return svg;
  }

  function mount(container, specFn) {
    var render = function () { draw(container, specFn()); };
    render();
    var timer = null;
    window.addEventListener("resize", function () { clearTimeout(timer); timer = setTimeout(render, 150); });
  }

  global.FBAChart = { draw: draw, mount: mount };
})(window);
