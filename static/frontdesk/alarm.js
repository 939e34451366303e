// The silent alarm on every staff page. Alt+Shift+A raises it, also while typing (a tense
// conversation is no time to leave the text field first). A colleague's new alarm, when the
// region's poll brings it, sounds three tones (Web Audio: no file, no network); the raiser's
// own screen stays silent.
(function () {
  "use strict";
  var heard = {};
  try { heard = JSON.parse(window.sessionStorage.getItem("alarms-heard") || "{}"); } catch (e) { heard = {}; }

  document.addEventListener("keydown", function (event) {
    if (event.repeat || !event.altKey || !event.shiftKey || event.ctrlKey || event.metaKey) { return; }
    if (event.code !== "KeyA") { return; }
    var button = document.querySelector("[data-alarm-button]");
    if (!button) { return; }
    event.preventDefault();
    event.stopPropagation();
    button.click();
  }, true);

  function beep() {
    var Context = window.AudioContext || window.webkitAudioContext;
    if (!Context) { return; }
    var context = new Context();
    [0, 0.35, 0.7].forEach(function (at) {
      var tone = context.createOscillator();
      var gain = context.createGain();
      tone.type = "square";
      tone.frequency.value = 880;
      gain.gain.value = 0.2;
      tone.connect(gain);
      gain.connect(context.destination);
      tone.start(context.currentTime + at);
      tone.stop(context.currentTime + at + 0.25);
    });
  }

  document.addEventListener("htmx:afterSwap", function () {
    var fresh = false;
    document.querySelectorAll("[data-alarm-sound]").forEach(function (element) {
      var id = element.getAttribute("data-alarm-sound");
      if (!heard[id]) { heard[id] = true; fresh = true; }
    });
    if (fresh) {
      try { window.sessionStorage.setItem("alarms-heard", JSON.stringify(heard)); } catch (e) { /* private mode */ }
      beep();
    }
  });
})();
