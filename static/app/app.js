// Small progressive enhancements; every page works without this file.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    // After a failed submit, put the keyboard on the summary of what to correct.
    var summary = document.getElementById("error-summary");
    if (summary) { summary.focus(); return; }
    // After "Weitere Person", continue typing in the new row.
    var target = document.querySelector("[data-focus]");
    if (target) {
      var input = document.querySelector("#" + target.dataset.focus + " input:not([type=hidden])");
      if (input) { input.focus(); }
    }
  });
  // A chart's table prints under it: open every chart's table for printing, close again after.
  var opened = [];
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details[data-chart-data]:not([open])").forEach(function (d) {
      d.open = true; opened.push(d);
    });
  });
  window.addEventListener("afterprint", function () {
    opened.forEach(function (d) { d.open = false; }); opened = [];
  });
  // Print buttons without inline handlers (the content security policy forbids them).
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-print]");
    if (button) { window.print(); }
  });
})();
