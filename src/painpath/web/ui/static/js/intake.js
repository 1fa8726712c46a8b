// The intake wizard's small helpers (the wizard works without them; no inline script: CSP).
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    // A checkbox group's "none found" box and its findings exclude each other.
    document.querySelectorAll("[data-multi]").forEach(function (group) {
      var none = group.querySelector("input[data-none]");
      if (!none) return;
      group.addEventListener("change", function (event) {
        var box = event.target;
        if (!(box instanceof HTMLInputElement) || box.type !== "checkbox" || !box.checked) return;
        if (box === none) {
          group.querySelectorAll("input[type=checkbox]").forEach(function (other) {
            if (other !== none) other.checked = false;
          });
        } else {
          none.checked = false;
        }
      });
    });
    // Opening a questionnaire with an error in it.
    var summary = document.getElementById("error-summary");
    if (summary) {
      summary.addEventListener("click", function (event) {
        var link = event.target.closest("a[href^='#']");
        if (!link) return;
        var target = document.getElementById(link.getAttribute("href").slice(1));
        var details = target && target.closest("details");
        if (details) details.open = true;
      });
    }
    if (window.location.hash) {
      var target = document.getElementById(window.location.hash.slice(1));
      var details = target && target.closest("details");
      if (details) {
        details.open = true;
        target.scrollIntoView();
      }
    }
  });
})();
