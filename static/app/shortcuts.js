// Keyboard shortcuts declared in the page itself: every element with aria-keyshortcuts
// (e.g. "Alt+Shift+N") is activated by that combination, a text field is focused instead.
// The attribute is the one source: screen readers announce it, this file acts on it.
// Never while typing (text fields, text areas, selects), so text input stays text input.
(function () {
  "use strict";
  var TEXT_INPUTS = /^(text|search|email|tel|url|number|password|date|datetime-local|time|month|week)$/;

  function isTyping(element) {
    if (!element || !element.tagName) { return false; }
    var tag = element.tagName;
    if (tag === "TEXTAREA" || tag === "SELECT" || element.isContentEditable) { return true; }
    return tag === "INPUT" && TEXT_INPUTS.test(element.type || "text");
  }

  // "Alt+Shift+N" -> modifiers and the physical key (event.code), so that the layout or
  // what Alt makes of a letter (macOS) does not matter.
  function parse(spec) {
    var parts = spec.split("+");
    var key = parts.pop();
    return {
      alt: parts.indexOf("Alt") >= 0,
      shift: parts.indexOf("Shift") >= 0,
      ctrl: parts.indexOf("Control") >= 0,
      meta: parts.indexOf("Meta") >= 0,
      code: /^[A-Z]$/.test(key) ? "Key" + key : /^[0-9]$/.test(key) ? "Digit" + key : key
    };
  }

  function matches(spec, event) {
    return spec.code === event.code && spec.alt === event.altKey && spec.shift === event.shiftKey &&
      spec.ctrl === event.ctrlKey && spec.meta === event.metaKey;
  }

  function usable(element) {
    return !element.disabled && !element.closest("[hidden]") && element.getClientRects().length > 0;
  }

  document.addEventListener("keydown", function (event) {
    if (event.repeat || event.defaultPrevented) { return; }
    if (!event.altKey && !event.ctrlKey && !event.metaKey) { return; }
    if (isTyping(event.target)) { return; }
    var candidates = document.querySelectorAll("[aria-keyshortcuts]");
    for (var i = 0; i < candidates.length; i++) {
      var element = candidates[i];
      var specs = element.getAttribute("aria-keyshortcuts").split(/\s+/);
      for (var j = 0; j < specs.length; j++) {
        if (specs[j] && matches(parse(specs[j]), event) && usable(element)) {
          event.preventDefault();
          if (isTyping(element)) { element.focus(); } else { element.click(); }
          return;
        }
      }
    }
  });
})();
