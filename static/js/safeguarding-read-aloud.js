// "Read this to me": reads a pupil's page aloud with the browser's own voice, where it has one.
(function () {
  "use strict";
  if (!("speechSynthesis" in window) || typeof SpeechSynthesisUtterance === "undefined") {
    return;
  }
  document.querySelectorAll("button.read-aloud[data-read]").forEach(function (button) {
    var target = document.querySelector(button.getAttribute("data-read"));
    if (!target) {
      return;
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      window.speechSynthesis.cancel();
      var words = new SpeechSynthesisUtterance(target.textContent.replace(/\s+/g, " ").trim());
      words.lang = "en-GB";
      words.rate = 0.9;
      window.speechSynthesis.speak(words);
    });
  });
})();
