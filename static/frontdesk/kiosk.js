// The self check-in kiosk (issue 16): on-screen keypad, printing the ticket, and the
// return to the German start page after inactivity (the next customer sees nothing of the
// previous one). No inline script: CSP script-src 'self'.
(function () {
  "use strict";
  var body = document.body;
  var start = body.getAttribute("data-start");
  var idle = parseInt(body.getAttribute("data-idle") || "90", 10) * 1000;
  var timer = null;

  function reset() {
    if (timer) window.clearTimeout(timer);
    if (!start) return;
    timer = window.setTimeout(function () {
      window.location.replace(start);
    }, idle);
  }
  ["pointerdown", "keydown", "input"].forEach(function (name) {
    document.addEventListener(name, reset, true);
  });
  reset();

  document.querySelectorAll(".kiosk__keypad").forEach(function (pad) {
    var input = document.getElementById(pad.getAttribute("data-target"));
    pad.addEventListener("click", function (event) {
      var button = event.target.closest("[data-key]");
      if (!button || !input) return;
      var key = button.getAttribute("data-key");
      if (key === "back") input.value = input.value.slice(0, -1);
      else if (key === "clear") input.value = "";
      else if (input.value.length < 40) input.value += key;
    });
  });

  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () {
      window.print();
    });
  });
  // The ticket prints itself once (a kiosk printer, `chromium --kiosk-printing`); not
  // when a test browser drives the page.
  if (document.querySelector("[data-autoprint]") && !navigator.webdriver) {
    window.setTimeout(function () {
      window.print();
    }, 300);
  }
})();
