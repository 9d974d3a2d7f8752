/* Plan builder: live totals, case-pack/MOQ hints and capacity bars as quantities change.
   The server checks everything again on save; this is only for immediate feedback. */
(function () {
  "use strict";
  /* Money as the templates' money macro writes it (app.money): the seller's currency and
     locale come from the form's data-currency and data-locale, and a business in several
     currencies gets the currency's distinct symbol (CA$, US$) from data-currency-symbol in
     place of the locale's own; whole units, and a total that rounds to zero never shows a
     minus sign. */
  var moneyFormat = null, moneySymbol = null;
  function money(v) {
    if (!moneyFormat) {
      var form = document.getElementById("plan-form");
      moneyFormat = new Intl.NumberFormat(form.getAttribute("data-locale") || undefined, {
        style: "currency", currency: form.getAttribute("data-currency"),
        minimumFractionDigits: 0, maximumFractionDigits: 0
      });
      moneySymbol = form.getAttribute("data-currency-symbol");
    }
    var r = Math.round(v);
    if (!moneySymbol) return moneyFormat.format(r === 0 ? 0 : r);
    return moneyFormat.formatToParts(r === 0 ? 0 : r).map(function (part) {
      return part.type === "currency" ? moneySymbol : part.value;
    }).join("");
  }
  function check(row, qty) {
    var pack = parseInt(row.getAttribute("data-pack"), 10) || 1;
    var moq = parseInt(row.getAttribute("data-moq"), 10) || 0;
    if (!/^\s*\d[\d,]*\s*$/.test(qty)) return "Enter a whole number of units.";
    var n = parseInt(qty.replace(/[,\s]/g, ""), 10);
    if (n <= 0) return "Enter at least 1 unit (untick the line to leave it out).";
    if (n % pack) {
      var lower = Math.floor(n / pack) * pack;
      return "Must be a multiple of the case pack (" + pack + " per case), e.g. " + (lower ? lower + " or " + (lower + pack) : pack) + ".";
    }
    if (moq && n < moq) return "Below the minimum order of " + moq.toLocaleString() + " units.";
    return "";
  }
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("plan-form");
    if (!form) return;
    var capStd = parseFloat(form.getAttribute("data-cap-standard"));
    var capBulky = parseFloat(form.getAttribute("data-cap-bulky"));
    var rows = Array.prototype.slice.call(form.querySelectorAll("tr.plan-line"));
    function recompute() {
      var lines = 0, units = 0, cost = 0, std = 0, bulky = 0;
      rows.forEach(function (row) {
        var box = row.querySelector("input[name=pick]"), input = row.querySelector("input.qty");
        var err = row.querySelector(".line-error");
        row.classList.toggle("unpicked", !box.checked);
        if (!box.checked) { err.textContent = ""; row.classList.remove("has-error"); return; }
        var message = check(row, input.value);
        err.textContent = message;
        row.classList.toggle("has-error", !!message);
        input.setAttribute("aria-invalid", message ? "true" : "false");
        var n = parseInt(input.value.replace(/[,\s]/g, ""), 10) || 0;
        var unitCost = parseFloat(row.getAttribute("data-cost"));
        var cuft = (parseFloat(row.getAttribute("data-cuft")) || 0) * n;
        lines += 1; units += n;
        if (!isNaN(unitCost)) cost += unitCost * n;
        if (row.getAttribute("data-bulky") === "1") bulky += cuft; else std += cuft;
        row.querySelector(".line-cost").textContent = isNaN(unitCost) ? "—" : money(unitCost * n);
        row.querySelector(".line-cuft").textContent = cuft.toFixed(1);
      });
      document.getElementById("sum-lines").textContent = lines;
      document.getElementById("sum-units").textContent = units.toLocaleString();
      document.getElementById("sum-cost").textContent = money(cost);
      document.getElementById("sum-std").textContent = std.toFixed(1) + " cu ft";
      document.getElementById("sum-bulky").textContent = bulky.toFixed(1) + " cu ft";
      var warnings = [];
      [["cap-std", "sum-std", std, capStd, "standard-size"], ["cap-bulky", "sum-bulky", bulky, capBulky, "oversize"]].forEach(function (c) {
        var bar = document.getElementById(c[0]);
        if (isNaN(c[3])) return;
        bar.max = Math.max(c[3], 0.0001); bar.value = Math.min(c[2], bar.max);
        var over = c[2] > c[3];
        document.getElementById(c[1]).classList.toggle("over", over);
        if (over) warnings.push("This plan needs " + c[2].toFixed(1) + " cu ft of " + c[4] + " space; your limit is " + c[3].toFixed(1) + ".");
      });
      var warn = document.getElementById("cap-warning");
      warn.textContent = warnings.join(" ");
      warn.classList.toggle("hidden", !warnings.length);
    }
    form.addEventListener("input", recompute);
    form.addEventListener("change", recompute);
    form.querySelectorAll(".js-pick-all, .js-pick-none").forEach(function (btn) {
      btn.addEventListener("click", function () {
        var on = btn.classList.contains("js-pick-all");
        rows.forEach(function (row) { row.querySelector("input[name=pick]").checked = on; });
        recompute();
      });
    });
    recompute();
  });
})();
