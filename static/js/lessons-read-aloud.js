// Read-aloud for lessons: the browser's own speech synthesis, no outside service.
// Every section has a button (hidden until we know the browser can speak); emoji are not spoken.
(function () {
  "use strict";
  if (!window.speechSynthesis || typeof window.SpeechSynthesisUtterance !== "function") {
    return; // the buttons stay hidden
  }
  var EMOJI = /[\u{1F000}-\u{1FAFF}\u{2600}-\u{27BF}\u{2B00}-\u{2BFF}\u{1F1E6}-\u{1F1FF}\u{FE0F}\u{200D}\u{20E3}\u{E0020}-\u{E007F}]/gu;
  var speaking = null;

  function spokenText(element) {
    var copy = element.cloneNode(true);
    copy.querySelectorAll(".no-read, script, [hidden], .visually-hidden").forEach(function (node) {
      node.remove();
    });
    // Pause between blocks so lines and list items are read as separate sentences.
    copy.querySelectorAll("p, li, h1, h2, h3, dt, dd, label, legend").forEach(function (node) {
      node.append(". ");
    });
    return copy.textContent
      .replace(EMOJI, "")
      .replace(/([.!?])\s*\.\s/g, "$1 ")
      .replace(/\s+/g, " ")
      .trim();
  }

  function reset() {
    if (speaking) {
      speaking.classList.remove("speaking");
      speaking.querySelector(".read-aloud-label").textContent = speaking.dataset.label;
      speaking.setAttribute("aria-pressed", "false");
    }
    speaking = null;
  }

  function stop() {
    window.speechSynthesis.cancel();
    reset();
  }

  document.querySelectorAll("button.read-aloud").forEach(function (button) {
    var label = button.querySelector(".read-aloud-label");
    button.dataset.label = label.textContent;
    button.setAttribute("aria-pressed", "false");
    button.hidden = false;
    button.addEventListener("click", function () {
      var wasMe = speaking === button;
      stop();
      if (wasMe) {
        return;
      }
      var target = document.getElementById(button.dataset.readTarget);
      if (!target) {
        return;
      }
      var utterance = new SpeechSynthesisUtterance(spokenText(target));
      utterance.lang = "en-GB";
      utterance.rate = 0.9;
      utterance.onend = reset;
      utterance.onerror = reset;
      speaking = button;
      button.classList.add("speaking");
      button.setAttribute("aria-pressed", "true");
      label.textContent = "Stop reading";
      window.speechSynthesis.speak(utterance);
    });
  });
  window.addEventListener("pagehide", stop);
  // Exposed for the browser test, which checks what would be spoken.
  window.esafetyLessonText = function (id) {
    var element = document.getElementById(id);
    return element ? spokenText(element) : "";
  };
})();
