/* Live checks as a child types: the server's own rules, explained beside the box.
   The form still works without this script: the server checks again when it is sent. */
(function () {
  "use strict";
  var DELAY_MS = 500;

  function render(region, findings) {
    var key = JSON.stringify(findings);
    if (region.getAttribute("data-last") === key) return;
    region.setAttribute("data-last", key);
    region.textContent = "";
    if (!findings.length) return;
    var list = document.createElement("ul");
    list.className = "findings";
    findings.forEach(function (finding) {
      var item = document.createElement("li");
      item.className = "finding finding-" + finding.kind + (finding.blocking ? " blocking" : "");
      if (finding.text) {
        var found = document.createElement("span");
        found.className = "found";
        found.textContent = finding.text;
        item.appendChild(found);
        item.appendChild(document.createTextNode(" "));
      }
      var message = document.createElement("span");
      message.className = "message";
      message.textContent = finding.message;
      item.appendChild(message);
      list.appendChild(item);
    });
    region.appendChild(list);
  }

  function check(box, region) {
    var ticket = (box.sandboxTicket || 0) + 1;
    box.sandboxTicket = ticket;
    fetch(box.getAttribute("data-check-url"), {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        "X-CSRFToken": box.getAttribute("data-csrf") || ""
      },
      body: JSON.stringify({
        text: box.value,
        mode: box.getAttribute("data-check-mode") || "blog",
        class_id: box.getAttribute("data-check-class")
      })
    })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (data && ticket === box.sandboxTicket) render(region, data.findings || []);
      })
      .catch(function () { /* offline: the server checks again on sending */ });
  }

  document.querySelectorAll("[data-check-url]").forEach(function (box) {
    var region = document.getElementById(box.id + "-checks");
    if (!region) return;
    var timer = null;
    box.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(function () { check(box, region); }, DELAY_MS);
    });
    // Words typed (or kept by the browser) before this script ran are checked too.
    if (box.value) check(box, region);
  });
})();
