// Painpath's small page behaviours (no inline script: the Content-Security-Policy forbids it).
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    // After a refused form, put the keyboard on the list of problems.
    var summary = document.getElementById("error-summary");
    if (summary) summary.focus();
    // Buttons that ask before acting: <button data-confirm="Graduate this patient?">
    document.body.addEventListener("click", function (event) {
      var target = event.target.closest("[data-confirm]");
      if (target && !window.confirm(target.getAttribute("data-confirm"))) event.preventDefault();
    });
    // Print buttons: <button data-print>
    document.querySelectorAll("[data-print]").forEach(function (b) {
      b.addEventListener("click", function () { window.print(); });
    });
    // Tables whose rows link somewhere: <tr data-href="/...">
    document.querySelectorAll("tr[data-href]").forEach(function (row) {
      row.addEventListener("click", function (event) {
        if (event.target.closest("a, button, input, select, label")) return;
        window.location.assign(row.getAttribute("data-href"));
      });
    });
  });
})();
