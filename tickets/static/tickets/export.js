// The background export's progress page: polls the export's API row until it is done or failed.
(function () {
  "use strict";
  function poll(box) {
    fetch(box.getAttribute("data-poll"), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (d) {
        box.querySelector("#bar").value = d.progress;
        box.querySelector("#pct").textContent = d.progress;
        box.querySelector("#state").textContent = d.state_label;
        document.getElementById("err").textContent = d.error || "";
        if (d.state === "done") { document.getElementById("done").hidden = false; }
        else if (d.state !== "failed") { setTimeout(function () { poll(box); }, 2000); }
      });
  }
  document.addEventListener("DOMContentLoaded", function () {
    var box = document.querySelector("[data-poll]");
    if (box && box.getAttribute("data-state") !== "done" && box.getAttribute("data-state") !== "failed") { poll(box); }
  });
})();
