// The summary build page: poll the build's progress (JSON) and open the summary when it is ready.
// Without JavaScript the page reloads itself every two seconds (a <noscript> meta refresh) and gets there too.
(function () {
  "use strict";
  var INTERVAL_MS = 1500;

  function start(box) {
    var url = box.dataset.statusUrl;
    var steps = {};
    try { steps = JSON.parse(box.dataset.steps || "{}"); } catch (error) { steps = {}; }
    var bar = box.querySelector("progress");
    var percent = box.querySelector("[data-build-percent]");
    var step = box.querySelector("[data-build-step]");

    function poll() {
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { if (!response.ok) throw new Error(response.status); return response.json(); })
        .then(function (build) {
          bar.value = build.progress;
          bar.textContent = build.progress + "%";
          percent.textContent = build.progress + "%";
          step.textContent = steps[build.step] || build.step;
          if (build.state === "done" || build.state === "failed") {
            // The page itself answers with the summary (done) or with what went wrong (failed).
            window.location.reload();
            return;
          }
          window.setTimeout(poll, INTERVAL_MS);
        })
        .catch(function () { window.setTimeout(function () { window.location.reload(); }, INTERVAL_MS * 2); });
    }
    window.setTimeout(poll, INTERVAL_MS);
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-build-progress]").forEach(start);
  });
})();
