/* Bold, italic, list and link buttons over a plain text box of light Markdown.
   Without this script the text box still works: children can type **bold** themselves. */
(function () {
  "use strict";

  function replaceSelection(box, before, after, placeholder) {
    var start = box.selectionStart, end = box.selectionEnd;
    var chosen = box.value.slice(start, end) || placeholder;
    box.setRangeText(before + chosen + after, start, end, "end");
    box.setSelectionRange(start + before.length, start + before.length + chosen.length);
  }

  function makeList(box) {
    var value = box.value;
    var start = value.lastIndexOf("\n", box.selectionStart - 1) + 1;
    var end = box.selectionEnd;
    var lines = value.slice(start, end).split("\n").map(function (line) {
      return /^\s*[-*] /.test(line) ? line : "- " + line;
    });
    box.setRangeText(lines.join("\n"), start, end, "end");
  }

  function addLink(box) {
    var start = box.selectionStart, end = box.selectionEnd;
    var words = box.value.slice(start, end) || "words to click";
    var text = "[" + words + "](https://)";
    box.setRangeText(text, start, end, "end");
    var urlAt = start + words.length + 3;
    box.setSelectionRange(urlAt, urlAt + 8);
  }

  var ACTIONS = [
    ["Bold", function (box) { replaceSelection(box, "**", "**", "bold words"); }],
    ["Italic", function (box) { replaceSelection(box, "_", "_", "slanted words"); }],
    ["List", makeList],
    ["Link", addLink]
  ];

  document.querySelectorAll("textarea[data-editor='markdown']").forEach(function (box) {
    var bar = document.createElement("div");
    bar.className = "editor-toolbar";
    bar.setAttribute("role", "toolbar");
    bar.setAttribute("aria-label", "Formatting");
    bar.setAttribute("aria-controls", box.id);
    ACTIONS.forEach(function (action) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "button secondary small editor-" + action[0].toLowerCase();
      button.textContent = action[0];
      button.addEventListener("click", function () {
        box.focus();
        action[1](box);
        box.dispatchEvent(new Event("input", { bubbles: true }));
      });
      bar.appendChild(button);
    });
    box.parentNode.insertBefore(bar, box);
  });
})();
