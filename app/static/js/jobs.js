/* Jobs page: poll the status endpoint for running jobs and move their progress bars. */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var table = document.getElementById("jobs-table");
    if (!table) return;
    var url = table.getAttribute("data-status-url");
    function activeIds() {
      return Array.prototype.map.call(table.querySelectorAll("tr.job-active"), function (r) { return r.getAttribute("data-job-id"); });
    }
    function update(job) {
      var row = table.querySelector('tr[data-job-id="' + job.id + '"]');
      if (!row) return;
      var bar = row.querySelector(".js-progress");
      bar.value = job.progress;
      row.querySelector(".js-percent").textContent = Math.round(job.progress * 100) + "%";
      var status = row.querySelector(".js-status");
      status.textContent = job.status;
      status.className = "badge badge-" + job.status + " js-status";
      row.querySelector(".js-message").textContent = job.message || "";
      row.querySelector(".js-error").textContent = job.error || "";
      row.classList.toggle("job-active", job.active);
    }
    function poll() {
      var ids = activeIds();
      if (!ids.length) return;
      fetch(url + "?ids=" + ids.join(","), { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : { jobs: [] }; })
        .then(function (data) { data.jobs.forEach(update); })
        .catch(function () { /* the next tick retries */ })
        .then(function () { if (activeIds().length) setTimeout(poll, 2000); });
    }
    setTimeout(poll, 1000);
  });
})();
