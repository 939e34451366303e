// The mailbox pages refresh themselves (htmx poll). A new urgent item is announced once, in
// the polite live region: in a mailbox by its row (data-urgent holds the sentence), in the
// overview by a mailbox whose count of unclaimed urgent items grew (data-urgent-count).
// What was already on the page, or is shown by a change of the filter, is not "new".
// Keeping the keyboard's place across the swap is frontdesk.js's job.
(function () {
  "use strict";
  var known = {};  // row id -> true (an item) or the count last seen (a mailbox)

  // The sentences for what is new in `root`; remembers everything it saw.
  function news(root) {
    var said = [];
    var items = root.querySelectorAll("[data-urgent]");
    for (var i = 0; i < items.length; i++) {
      if (!known[items[i].id]) { said.push(items[i].dataset.urgent); }
      known[items[i].id] = true;
    }
    var boxes = root.querySelectorAll("[data-urgent-count]");
    for (var j = 0; j < boxes.length; j++) {
      var count = parseInt(boxes[j].dataset.urgentCount, 10) || 0;
      var before = known[boxes[j].id];
      if (typeof before === "number" && count > before) { said.push(boxes[j].dataset.urgentNew); }
      known[boxes[j].id] = count;
    }
    return said;
  }

  document.addEventListener("DOMContentLoaded", function () {
    var list = document.querySelector("[data-announce-urgent]");
    if (list) { news(list); }
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    var list = event.detail.target.closest("[data-announce-urgent]");
    if (!list) { return; }
    var said = news(list);
    // Only the poll brings news; the filter form's answer shows what the person asked for.
    if (event.detail.elt !== list || !said.length) { return; }
    var region = document.getElementById("mailbox-announce");
    if (region) {
      // Emptied first, so that a message equal to the last one is announced again.
      region.textContent = "";
      window.setTimeout(function () { region.textContent = said.join(". "); }, 50);
    }
  });
})();
