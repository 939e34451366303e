// The mailbox list refreshes itself (htmx poll). A new urgent item is announced once, in the
// polite live region; an item already on the page, or shown by a change of the filter, is not
// "new". Keeping the keyboard's place across the swap is frontdesk.js's job.
(function () {
  "use strict";
  var known = {};

  function urgentRows(root) {
    return root.querySelectorAll("[data-urgent]");
  }

  function remember(root) {
    var rows = urgentRows(root);
    for (var i = 0; i < rows.length; i++) { known[rows[i].id] = true; }
  }

  document.addEventListener("DOMContentLoaded", function () {
    var list = document.querySelector("[data-announce-urgent]");
    if (list) { remember(list); }
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    var list = event.detail.target.closest("[data-announce-urgent]");
    if (!list) { return; }
    // Only the poll brings news; the filter form's answer shows what the person asked for.
    var fromPoll = event.detail.elt === list;
    var news = [];
    var rows = urgentRows(list);
    for (var i = 0; i < rows.length; i++) {
      if (!known[rows[i].id]) {
        known[rows[i].id] = true;
        if (fromPoll) { news.push(rows[i].dataset.urgent); }
      }
    }
    var region = document.getElementById("mailbox-announce");
    if (region && news.length) {
      // Emptied first, so that a message equal to the last one is announced again.
      region.textContent = "";
      window.setTimeout(function () { region.textContent = news.join(" "); }, 50);
    }
  });
})();
