// Small progressive enhancements; every page works without them.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  function fill(pattern, values) {
    return pattern.replace(/\{(\w+)\}/g, function (_, key) { return String(values[key]); });
  }

  function duration(minutes, data) {
    minutes = Math.abs(minutes);
    var d = Math.floor(minutes / 1440), h = Math.floor((minutes % 1440) / 60), m = minutes % 60;
    if (d) return fill(data.cdDh, { d: d, h: h });
    if (h) return fill(data.cdHm, { h: h, m: m });
    return fill(data.cdM, { m: m });
  }

  // Countdowns: the server renders the text; this keeps it current while the page stays open.
  function tick() {
    var data = document.body.dataset;
    document.querySelectorAll("time.countdown[datetime]").forEach(function (el) {
      if (el.hasAttribute("data-paused")) return;
      var due = Date.parse(el.getAttribute("datetime"));
      if (isNaN(due)) return;
      var minutes = Math.floor((due - Date.now()) / 60000);
      el.textContent = fill(minutes >= 0 ? data.cdLeft : data.cdOver, { t: duration(minutes, data) });
    });
  }

  // Print buttons (dispatch notes, scorecards): no inline handlers, so the CSP can forbid them.
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-print]");
    if (button) { event.preventDefault(); window.print(); }
  });

  document.addEventListener("DOMContentLoaded", function () {
    tick();
    setInterval(tick, 30000);
  });
  document.addEventListener("htmx:afterSettle", tick);
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form[data-submitting]").forEach(function (f) { delete f.dataset.submitting; });
  });

  // A second tap on a submit button while the first is on its way does nothing (the server is idempotent too).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.dataset.submitting) { event.preventDefault(); return; }
    if (form.hasAttribute("hx-post") || form.hasAttribute("hx-get")) return;
    form.dataset.submitting = "1";
    form.querySelectorAll("button[data-once]").forEach(function (b) { b.setAttribute("aria-disabled", "true"); });
  });
})();
