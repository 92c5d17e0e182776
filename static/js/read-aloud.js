// Read-aloud for every page a pupil sees: the browser's own speech synthesis, no outside service.
// A button.read-aloud names what it reads with data-read-target (an id) or data-read (a CSS
// selector); buttons stay hidden where the browser cannot speak. Emoji are not spoken.
// An element with data-say (a picture, a name tile, a choice) says its name when a child holds
// a finger on it or rests the mouse on it.
(function () {
  "use strict";
  if (!window.speechSynthesis || typeof window.SpeechSynthesisUtterance !== "function") {
    return; // the buttons stay hidden
  }
  var EMOJI = /[\u{1F000}-\u{1FAFF}\u{2600}-\u{27BF}\u{2B00}-\u{2BFF}\u{1F1E6}-\u{1F1FF}\u{FE0F}\u{200D}\u{20E3}\u{E0020}-\u{E007F}]/gu;
  var speaking = null;

  function spokenText(element) {
    var copy = element.cloneNode(true);
    copy.querySelectorAll(".no-read, .read-aloud, script, [hidden], .visually-hidden").forEach(function (node) {
      node.remove();
    });
    // Pause between blocks so lines, list items and choices are read as separate sentences.
    copy.querySelectorAll("p, li, h1, h2, h3, dt, dd, label, legend, button, a").forEach(function (node) {
      node.append(". ");
    });
    return copy.textContent
      .replace(EMOJI, "")
      .replace(/([.!?:])\s*\.(\s|$)/g, "$1 ")
      .replace(/(\.\s*){2,}/g, ". ")
      .replace(/\s+/g, " ")
      .trim();
  }

  function say(text) {
    var utterance = new SpeechSynthesisUtterance(text);
    utterance.lang = "en-GB";
    utterance.rate = 0.9;
    window.speechSynthesis.speak(utterance);
    return utterance;
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

  function targetOf(button) {
    if (button.dataset.readTarget) {
      return document.getElementById(button.dataset.readTarget);
    }
    return button.dataset.read ? document.querySelector(button.dataset.read) : null;
  }

  // A child who has asked for reading once hears new messages (quiz feedback) without asking.
  var LISTENING = "esafety-read-aloud";
  function listening() {
    try { return window.sessionStorage.getItem(LISTENING) === "1"; } catch (e) { return false; }
  }
  function rememberListening() {
    try { window.sessionStorage.setItem(LISTENING, "1"); } catch (e) { /* private mode */ }
  }

  document.querySelectorAll("button.read-aloud").forEach(function (button) {
    var label = button.querySelector(".read-aloud-label");
    var target = targetOf(button);
    if (!label || !target) {
      return;
    }
    button.dataset.label = label.textContent;
    button.setAttribute("aria-pressed", "false");
    button.hidden = spokenText(target) === "";
    button.addEventListener("click", function () {
      var wasMe = speaking === button;
      stop();
      if (wasMe) {
        return;
      }
      rememberListening();
      var utterance = say(spokenText(target));
      utterance.onend = reset;
      utterance.onerror = reset;
      speaking = button;
      button.classList.add("speaking");
      button.setAttribute("aria-pressed", "true");
      label.textContent = "Stop reading";
    });
    // A message that arrives later (a live region): show the button, and read it to a listener.
    if (target.hasAttribute("aria-live") && window.MutationObserver) {
      new MutationObserver(function () {
        var words = spokenText(target);
        button.hidden = words === "";
        if (words && listening()) {
          stop();
          say(words);
        }
      }).observe(target, { childList: true, subtree: true, characterData: true });
    }
  });

  // Saying a picture's name: resting the mouse on it, or holding a finger on it (a long press
  // only speaks; it does not choose, so a child can listen before tapping).
  document.querySelectorAll("[data-say]").forEach(function (element) {
    var timer = null;
    var spokeOnPress = false;
    function sayName() {
      stop();
      say(element.dataset.say);
    }
    function cancel() { window.clearTimeout(timer); }
    element.addEventListener("pointerenter", function (event) {
      if (event.pointerType === "mouse") {
        timer = window.setTimeout(sayName, 700);
      }
    });
    element.addEventListener("pointerleave", cancel);
    element.addEventListener("pointerdown", function (event) {
      cancel();
      spokeOnPress = false;
      if (event.pointerType !== "mouse") {
        timer = window.setTimeout(function () { spokeOnPress = true; sayName(); }, 600);
      }
    });
    element.addEventListener("pointerup", cancel);
    element.addEventListener("pointercancel", cancel);
    element.addEventListener("contextmenu", function (event) { event.preventDefault(); });
    element.addEventListener("click", function (event) {
      if (spokeOnPress) {
        spokeOnPress = false;
        event.preventDefault();
      }
    });
  });

  window.addEventListener("pagehide", stop);
  // Exposed for the browser tests, which check what would be spoken.
  window.esafetySpokenText = function (id) {
    var element = document.getElementById(id);
    return element ? spokenText(element) : "";
  };
  window.esafetyLessonText = window.esafetySpokenText;
})();
