// The exports page: keeps each background job's row live (status, progress bar, "n / total rows",
// size, the Download link or the error) by asking the job API once a second while a job on the page
// is queued or running, and stops when none is. Status changes are announced in the live region.
// It also ticks "Leave out unfinished sessions" to the chosen format's default when the format changes.
(function () {
  "use strict";
  var INTERVAL_MS = 1000;
  // A few failed requests in a row (server restarting, network gone) are retried; then the page says so.
  var MAX_FAILURES = 30;
  var PENDING = { queued: true, running: true };
  var LABELS = { queued: "Queued", running: "Running", done: "Done", failed: "Failed" };
  var announcer = document.getElementById("export-announce");
  var failures = 0;

  function say(text) {
    if (announcer) announcer.textContent = text;
  }

  // The same units as Django's filesizeformat on the server-rendered rows (1024-based).
  function fileSize(bytes) {
    var units = ["bytes", "KB", "MB", "GB", "TB"];
    var value = bytes;
    var unit = 0;
    while (value >= 1024 && unit < units.length - 1) {
      value /= 1024;
      unit += 1;
    }
    return unit === 0 ? value + " bytes" : value.toFixed(1) + "\u00a0" + units[unit];
  }

  function pendingRows() {
    return Array.prototype.filter.call(document.querySelectorAll("tr[data-job]"), function (row) {
      return PENDING[row.getAttribute("data-status")];
    });
  }

  function replaceFileCell(row, node) {
    var cell = row.querySelector(".rp-job-file");
    while (cell.firstChild) cell.removeChild(cell.firstChild);
    cell.appendChild(node);
  }

  function render(row, job) {
    var before = row.getAttribute("data-status");
    var total = job.rows_total || 0;
    var written = job.status === "done" ? total : Math.min(job.rows_written || 0, total);
    row.setAttribute("data-status", job.status);
    row.querySelector(".rp-job-status").textContent = LABELS[job.status] || job.status;
    var bar = row.querySelector("progress");
    bar.max = total || 1;
    bar.value = job.status === "done" ? bar.max : written;
    row.querySelector(".rp-job-rows").textContent = written + " / " + total + " rows";
    if (before === job.status) return;
    var name = "The " + job.format + " export";
    if (job.status === "running") {
      say(name + " is running.");
    } else if (job.status === "done" && job.download_url) {
      row.querySelector(".rp-job-size").textContent = fileSize(job.size_bytes || 0);
      var link = document.createElement("a");
      link.href = job.download_url;
      link.className = "rp-job-download";
      link.textContent = "Download";
      replaceFileCell(row, link);
      say(name + " is done: its Download link is ready.");
    } else if (job.status === "failed") {
      var error = document.createElement("span");
      error.className = "rp-job-error";
      error.textContent =
        "Failed: " + (job.error || "unknown error") + ". Start it again; if it fails again, tell the platform team.";
      replaceFileCell(row, error);
      say(name + " failed.");
    }
  }

  function stop(row, text) {
    // A job the API no longer shows (deleted, or the sign-in ended): leave it, say why.
    row.setAttribute("data-status", "unknown");
    var note = document.createElement("span");
    note.className = "rp-job-error";
    note.textContent = text;
    replaceFileCell(row, note);
  }

  function poll(row) {
    var url = "/api/v1/export/jobs/" + encodeURIComponent(row.getAttribute("data-job")) + "/";
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } }).then(
      function (response) {
        if (response.ok) {
          return response.json().then(function (job) {
            failures = 0;
            render(row, job);
          });
        }
        if (response.status === 401 || response.status === 403 || response.status === 404) {
          stop(row, "Progress unavailable (" + response.status + "): reload the page, signing in again if asked.");
          return null;
        }
        failures += 1;  // 429, 5xx: try again at the next tick
        return null;
      },
      function () {
        failures += 1;
      }
    );
  }

  function tick() {
    var rows = pendingRows();
    if (!rows.length) return;  // nothing queued or running: stop polling
    if (document.hidden) {
      // A tab in the background asks nothing; it catches up as soon as it is shown again.
      document.addEventListener("visibilitychange", tick, { once: true });
      return;
    }
    if (failures >= MAX_FAILURES) {
      say("The page could not reach the server to update the exports' progress; reload it to try again.");
      return;
    }
    Promise.all(rows.map(poll)).then(function () {
      window.setTimeout(tick, INTERVAL_MS);
    });
  }

  var format = document.getElementById("id_format");
  var finished = document.getElementById("id_finished_only");
  if (format && finished) {
    format.addEventListener("change", function () {
      var option = format.options[format.selectedIndex];
      finished.checked = option.getAttribute("data-finished-default") === "true";
    });
  }

  tick();
})();
