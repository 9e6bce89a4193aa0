/* Follows a report run on its page: asks the API for its status every two seconds and reloads the page once
   the run has finished, so that the download link or the error shows. A static file: the CSP forbids inline
   scripts. Without JavaScript, the page's <noscript> refresh does the same. */
(function () {
  "use strict";
  var box = document.getElementById("run-status");
  if (!box || box.getAttribute("data-finished") === "true") { return; }
  var url = box.getAttribute("data-status-url");
  var progress = document.getElementById("run-progress");
  var statusText = box.querySelector('[data-field="status"]');
  var progressText = box.querySelector('[data-field="progress"]');
  function poll() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (run) {
        if (!run) { return; }
        if (progress) { progress.value = run.progress; progress.textContent = run.progress + " %"; }
        if (progressText) { progressText.textContent = run.progress; }
        if (statusText) { statusText.textContent = run.status_display; }
        if (run.status === "done" || run.status === "failed") { window.location.reload(); return; }
        window.setTimeout(poll, 2000);
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 1000);
})();
