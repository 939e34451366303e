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
  // Print buttons without inline handlers (the content security policy forbids them).
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-print]");
    if (button) { window.print(); }
  });
})();
