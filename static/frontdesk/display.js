// The waiting-room screen: polls its state every few seconds, keeps showing the last state
// through network hiccups (retrying with growing pauses), highlights new calls and, if
// switched on, plays a chime made with the Web Audio API (no audio file).
(function () {
  "use strict";
  var body = document.body;
  var url = body.dataset.url;
  var interval = parseInt(body.dataset.poll || "3000", 10);
  var etag = body.dataset.etag || "";
  var HIGHLIGHT_MS = 20000;
  var MAX_PAUSE_MS = 30000;
  var callsEl = document.getElementById("calls");
  var estimatesEl = document.getElementById("estimates");
  var clockEl = document.getElementById("clock");
  var statusEl = document.getElementById("status");
  var soundButton = document.getElementById("sound");
  var firstSeen = {};
  var failures = 0;
  var timer = null;
  var audio = null;
  var soundOn = false;
  var lastCalls = "";
  var lastEstimates = "";

  var start = Date.now() - HIGHLIGHT_MS;
  callsEl.querySelectorAll("[data-id]").forEach(function (li) { firstSeen[li.dataset.id] = start; });

  function ensureAudio() {
    var Context = window.AudioContext || window.webkitAudioContext;
    if (!Context) { return null; }
    if (!audio) { audio = new Context(); }
    if (audio.state === "suspended") { audio.resume(); }
    return audio;
  }

  function tone(frequency, at, duration) {
    var oscillator = audio.createOscillator();
    var gain = audio.createGain();
    oscillator.type = "sine";
    oscillator.frequency.value = frequency;
    gain.gain.setValueAtTime(0.0001, at);
    gain.gain.exponentialRampToValueAtTime(0.35, at + 0.03);
    gain.gain.exponentialRampToValueAtTime(0.0001, at + duration);
    oscillator.connect(gain);
    gain.connect(audio.destination);
    oscillator.start(at);
    oscillator.stop(at + duration + 0.05);
  }

  function chime() {
    if (!soundOn || !ensureAudio()) { return; }
    var now = audio.currentTime;
    tone(880, now, 0.7);
    tone(659.25, now + 0.4, 1.0);
  }

  function setSound(on) {
    soundOn = on;
    soundButton.setAttribute("aria-pressed", on ? "true" : "false");
    try { window.localStorage.setItem("frontdesk-display-sound", on ? "on" : "off"); } catch (e) { /* private mode */ }
  }

  soundButton.addEventListener("click", function () {
    setSound(!soundOn);
    if (soundOn) { ensureAudio(); chime(); }
  });
  try { if (window.localStorage.getItem("frontdesk-display-sound") === "on") { setSound(true); ensureAudio(); } } catch (e) { /* ignore */ }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function markNew() {
    var now = Date.now();
    callsEl.querySelectorAll("[data-id]").forEach(function (li) {
      li.classList.toggle("fd-call--new", now - (firstSeen[li.dataset.id] || 0) < HIGHLIGHT_MS);
    });
  }

  function render(state) {
    clockEl.textContent = state.time;
    var fresh = false;
    var now = Date.now();
    state.calls.forEach(function (call) {
      if (!(call.id in firstSeen)) { firstSeen[call.id] = now; fresh = true; }
    });
    var signature = JSON.stringify(state.calls);
    if (signature !== lastCalls) {
      lastCalls = signature;
      var list = document.createDocumentFragment();
      if (!state.calls.length) { list.appendChild(el("li", "fd-calls__empty", body.dataset.empty)); }
      state.calls.forEach(function (call, index) {
        var li = el("li", "fd-call" + (index === 0 ? " fd-call--latest" : ""));
        li.dataset.id = String(call.id);
        li.appendChild(el("span", "fd-call__number", call.number));
        var arrow = el("span", "fd-call__arrow", "→");
        arrow.setAttribute("aria-hidden", "true");
        li.appendChild(arrow);
        li.appendChild(el("span", "fd-call__desk", call.desk));
        if (call.recall) { li.appendChild(el("span", "fd-call__recall", body.dataset.recall)); }
        list.appendChild(li);
      });
      callsEl.replaceChildren(list);
    }
    markNew();
    var estimates = JSON.stringify(state.estimates);
    if (estimates !== lastEstimates) {
      lastEstimates = estimates;
      var items = document.createDocumentFragment();
      state.estimates.forEach(function (e) {
        var row = el("div", "fd-estimate");
        row.appendChild(el("dt", "", e["class"]));
        row.appendChild(el("dd", "", e.label));
        items.appendChild(row);
      });
      estimatesEl.replaceChildren(items);
    }
    if (fresh) { chime(); }
  }

  function schedule(ms) {
    window.clearTimeout(timer);
    timer = window.setTimeout(poll, ms);
  }

  function poll() {
    var controller = "AbortController" in window ? new AbortController() : null;
    var abort = controller ? window.setTimeout(function () { controller.abort(); }, 8000) : null;
    // The version last shown: unchanged, the server answers 304 without a body.
    var headers = { "Accept": "application/json" };
    if (etag) { headers["If-None-Match"] = etag; }
    fetch(url, {
      cache: "no-store",
      credentials: "omit",
      headers: headers,
      signal: controller ? controller.signal : undefined
    }).then(function (response) {
      if (response.status === 404) { throw { gone: true }; }
      // Unchanged: nothing to draw. The (empty) body is read all the same, so the
      // browser does not count the request as cancelled.
      if (response.status === 304) { return response.text().then(function () { return null; }); }
      if (!response.ok) { throw new Error("HTTP " + response.status); }
      var tag = response.headers.get("ETag");
      return response.json().then(function (state) { etag = tag || ""; return state; });
    }).then(function (state) {
      failures = 0;
      statusEl.textContent = "";
      body.classList.remove("fd-offline");
      if (state) { render(state); } else { markNew(); }
      schedule(interval);
    }).catch(function (error) {
      failures += 1;
      body.classList.add("fd-offline");
      var message = error && error.gone ? body.dataset.gone : body.dataset.offline;
      if (statusEl.textContent !== message) { statusEl.textContent = message; }
      markNew();
      schedule(Math.min(interval * Math.pow(2, failures), MAX_PAUSE_MS));
    }).finally(function () {
      if (abort) { window.clearTimeout(abort); }
    });
  }

  schedule(interval);
})();
