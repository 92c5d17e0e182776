// A drawing canvas for pupils' posts. Pointer events, so fingers, pens and the mouse all draw.
// When the form is sent, the drawing becomes a PNG in the form's own picture file input, so the
// server takes it through exactly the same checks as an uploaded picture. Without this script
// (or a browser that cannot put a file into an input) the canvas stays hidden and the upload
// remains.
(function () {
  "use strict";

  function canHandFiles() {
    try {
      return typeof window.DataTransfer === "function" && !!new window.DataTransfer().items;
    } catch (e) {
      return false;
    }
  }

  if (!canHandFiles()) {
    return;
  }

  var STORE = "esafety-drawing:" + window.location.pathname;
  var MAX_UNDO = 30;

  function remember(data) {
    try {
      if (data) { window.sessionStorage.setItem(STORE, data); } else { window.sessionStorage.removeItem(STORE); }
    } catch (e) { /* private mode: the drawing is simply not kept */ }
  }

  function remembered() {
    try { return window.sessionStorage.getItem(STORE); } catch (e) { return null; }
  }

  function dataUrlToFile(url, name) {
    var parts = url.split(",");
    var bytes = window.atob(parts[1]);
    var array = new Uint8Array(bytes.length);
    for (var i = 0; i < bytes.length; i += 1) {
      array[i] = bytes.charCodeAt(i);
    }
    return new File([array], name, { type: "image/png" });
  }

  document.querySelectorAll("[data-drawing]").forEach(function (box) {
    var input = document.getElementById(box.dataset.fileInput);
    var canvas = box.querySelector("canvas");
    var context = canvas && canvas.getContext("2d");
    if (!input || !input.form || !context) {
      return;
    }
    var form = input.form;
    var status = box.querySelector("[data-drawing-status]");
    var colour = box.querySelector(".swatch[aria-pressed='true']").dataset.colour;
    var size = Number(box.querySelector(".brush[aria-pressed='true']").dataset.brush);
    var history = [];
    var lines = 0;
    var drawing = null;

    function say(words) {
      if (status) { status.textContent = words; }
    }

    function blank() {
      context.fillStyle = "#ffffff";
      context.fillRect(0, 0, canvas.width, canvas.height);
    }

    function snapshot() {
      history.push({ image: context.getImageData(0, 0, canvas.width, canvas.height), lines: lines });
      if (history.length > MAX_UNDO) { history.shift(); }
    }

    function choose(group, button) {
      box.querySelectorAll(group).forEach(function (other) {
        other.setAttribute("aria-pressed", other === button ? "true" : "false");
      });
    }

    box.querySelectorAll(".swatch").forEach(function (button) {
      button.addEventListener("click", function () {
        colour = button.dataset.colour;
        choose(".swatch", button);
        say("Colour: " + button.textContent.trim());
      });
    });
    box.querySelectorAll(".brush").forEach(function (button) {
      button.addEventListener("click", function () {
        size = Number(button.dataset.brush);
        choose(".brush", button);
        say("Brush: " + button.textContent.trim());
      });
    });
    box.querySelector("[data-undo]").addEventListener("click", function () {
      var last = history.pop();
      if (!last) { say("There is nothing to undo."); return; }
      context.putImageData(last.image, 0, 0);
      lines = last.lines;
      say("The last line is gone.");
    });
    box.querySelector("[data-clear]").addEventListener("click", function () {
      if (lines === 0) { say("The box is already empty."); return; }
      snapshot();
      blank();
      lines = 0;
      say("The box is empty again. Undo brings your drawing back.");
    });

    function point(event) {
      var rect = canvas.getBoundingClientRect();
      return {
        x: (event.clientX - rect.left) * canvas.width / rect.width,
        y: (event.clientY - rect.top) * canvas.height / rect.height
      };
    }

    function dot(at) {
      context.beginPath();
      context.fillStyle = colour;
      context.arc(at.x, at.y, size / 2, 0, Math.PI * 2);
      context.fill();
    }

    canvas.addEventListener("pointerdown", function (event) {
      if (event.button !== undefined && event.button > 0) { return; }
      event.preventDefault();
      canvas.setPointerCapture(event.pointerId);
      snapshot();
      drawing = { id: event.pointerId, last: point(event) };
      dot(drawing.last);
      lines += 1;
    });
    canvas.addEventListener("pointermove", function (event) {
      if (!drawing || event.pointerId !== drawing.id) { return; }
      var moves = event.getCoalescedEvents ? event.getCoalescedEvents() : [event];
      if (!moves.length) { moves = [event]; }
      context.strokeStyle = colour;
      context.lineWidth = size;
      context.lineCap = "round";
      context.lineJoin = "round";
      context.beginPath();
      context.moveTo(drawing.last.x, drawing.last.y);
      moves.forEach(function (move) {
        var at = point(move);
        context.lineTo(at.x, at.y);
        drawing.last = at;
      });
      context.stroke();
    });
    function stop(event) {
      if (drawing && event.pointerId === drawing.id) { drawing = null; }
    }
    canvas.addEventListener("pointerup", stop);
    canvas.addEventListener("pointercancel", stop);

    // Sending: the drawing becomes the picture (it replaces a file chosen as well).
    form.addEventListener("submit", function () {
      if (lines === 0) {
        remember(null);
        return;
      }
      var url = canvas.toDataURL("image/png");
      var files = new window.DataTransfer();
      files.items.add(dataUrlToFile(url, "my-drawing.png"));
      input.files = files.files;
      remember(url);
    });

    blank();
    var kept = box.hasAttribute("data-restore") ? remembered() : null;
    if (kept) {
      var picture = new Image();
      picture.onload = function () {
        context.drawImage(picture, 0, 0);
        lines = 1;
        say("Your drawing is still here.");
      };
      picture.src = kept;
    } else {
      remember(null);
    }
    box.hidden = false;
    // Where the school offers the youngest pupils drawing only, the upload steps aside (unless
    // it has a message to show).
    var upload = form.querySelector("[data-drawing-only]");
    if (upload && !upload.querySelector(".error")) {
      upload.hidden = true;
    }
  });
})();
