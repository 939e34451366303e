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

  // Focus inside the swapped part: back on the same element (by id), or, if it is gone
  // (the customer was called elsewhere), on the part's heading, never lost to <body>.
  var focusWasInside = false;

  // A polled part (the desk list) sends the version it shows; unchanged, the server
  // answers 304 with no body, and the part stays as it is (focus and all).
  document.addEventListener("htmx:configRequest", function (event) {
    var part = event.detail.elt;
    if (part && part.dataset && part.dataset.etag) {
      event.detail.headers["If-None-Match"] = part.dataset.etag;
    }
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    var part = event.detail.elt;
    var xhr = event.detail.xhr;
    if (part && part.dataset && "etag" in part.dataset && xhr && xhr.status === 200) {
      part.dataset.etag = xhr.getResponseHeader("ETag") || "";
    }
  });

  document.addEventListener("htmx:beforeSwap", function (event) {
    if (event.detail.xhr && event.detail.xhr.status === 304) {
      event.detail.shouldSwap = false;
      return;
    }
    var active = document.activeElement;
    focusWasInside = !!active && active !== document.body && event.detail.target.contains(active);
    lastFocusId = focusWasInside && active.id ? active.id : null;
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    if (focusWasInside) {
      var again = lastFocusId && document.getElementById(lastFocusId);
      if (!again) {
        // The part's heading: named by data-focus-heading (a section that is no landmark of
        // its own, its table frame being one) or by the section's aria-labelledby.
        var part = event.detail.target.closest("[data-focus-heading], [aria-labelledby]");
        var heading = part && (part.dataset.focusHeading || part.getAttribute("aria-labelledby"));
        again = heading && document.getElementById(heading);
      }
      if (again) { again.focus(); }
      lastFocusId = null;
      focusWasInside = false;
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
