/* The whole policy on one page: a section is ticked as read when its end scrolls into view,
   and the server records it. Without this script the "I have read all of it" button does it. */
(function () {
  "use strict";
  var reader = document.querySelector(".policy-reader[data-read-url]");
  if (!reader || !("IntersectionObserver" in window) || !window.fetch) return;
  var DELAY_MS = 400;
  var pending = {};
  var sending = false;
  var timer = null;
  var count = document.querySelector("[data-read-count]");
  var whileUnread = document.querySelector("[data-while-unread]");
  var whenRead = document.querySelector("[data-when-read]");

  function show(read, unread) {
    read.forEach(function (position) {
      var section = document.getElementById("section-" + position);
      if (!section) return;
      section.setAttribute("data-read", "");
      var badge = section.querySelector(".section-read");
      if (badge) badge.hidden = false;
    });
    if (count) count.textContent = String(read.length);
    if (unread === 0) {
      if (whileUnread) whileUnread.hidden = true;
      if (whenRead) whenRead.hidden = false;
      observer.disconnect();
    }
  }

  function send() {
    var positions = Object.keys(pending);
    if (sending || !positions.length) return;
    sending = true;
    pending = {};
    var body = new FormData();
    body.append("csrf_token", reader.getAttribute("data-csrf") || "");
    body.append("sections", positions.join(","));
    fetch(reader.getAttribute("data-read-url"), {
      method: "POST",
      credentials: "same-origin",
      headers: { "Accept": "application/json" },
      body: body
    })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) { if (data) show(data.read || [], data.unread); })
      .catch(function () {
        // Offline for a moment: try these sections again with the next ones.
        positions.forEach(function (p) { pending[p] = true; });
      })
      .then(function () {
        sending = false;
        if (Object.keys(pending).length) later();
      });
  }

  function later() {
    window.clearTimeout(timer);
    timer = window.setTimeout(send, DELAY_MS);
  }

  var observer = new IntersectionObserver(function (entries) {
    entries.forEach(function (entry) {
      if (!entry.isIntersecting) return;
      var section = entry.target.closest("[data-position]");
      observer.unobserve(entry.target);
      if (section && !section.hasAttribute("data-read")) {
        pending[section.getAttribute("data-position")] = true;
        later();
      }
    });
  });
  reader.querySelectorAll("[data-position]:not([data-read]) .section-end").forEach(function (end) {
    observer.observe(end);
  });
})();
