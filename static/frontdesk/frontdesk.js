// The desk and the reception: keep the keyboard where it was while the queue refreshes.
(function () {
  "use strict";
  var lastFocusId = null;

  document.addEventListener("DOMContentLoaded", function () {
    // app.js puts the keyboard on an error summary first; otherwise on the called customer.
    if (document.getElementById("error-summary")) { return; }
    var target = document.querySelector("[data-focus-on-load]");
    if (target && !document.querySelector("[autofocus]")) { target.focus(); }
  });

  document.addEventListener("htmx:beforeSwap", function (event) {
    var active = document.activeElement;
    lastFocusId = active && active.id && event.detail.target.contains(active) ? active.id : null;
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    if (lastFocusId) {
      var again = document.getElementById(lastFocusId);
      if (again) { again.focus(); }
      lastFocusId = null;
    }
    // The number of people waiting: shown in the heading, announced only when it changes.
    var source = event.detail.target.querySelector("[data-queue-count]");
    var count = document.getElementById("queue-count");
    var status = document.getElementById("queue-status");
    if (source && count) {
      var text = "(" + source.dataset.queueCount + ")";
      if (count.textContent !== text) {
        count.textContent = text;
        if (status) { status.textContent = source.textContent; }
      }
    }
  });
})();
