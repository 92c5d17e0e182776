// Arrow keys move around the picture grid (as they would on a keypad), so a keyboard or
// switch user reaches any picture in a few presses; Tab still walks every picture in order.
(function () {
  "use strict";
  var grid = document.querySelector("[data-arrow-grid]");
  if (!grid) {
    return;
  }
  var STEPS = { ArrowLeft: -1, ArrowRight: 1 };
  grid.addEventListener("keydown", function (event) {
    var buttons = Array.prototype.slice.call(grid.querySelectorAll("button"));
    var here = buttons.indexOf(document.activeElement);
    if (here < 0 || event.altKey || event.ctrlKey || event.metaKey) {
      return;
    }
    var top = buttons[0].offsetTop;
    var columns = buttons.filter(function (b) { return b.offsetTop === top; }).length || 1;
    var step = STEPS[event.key];
    if (event.key === "ArrowUp") { step = -columns; }
    if (event.key === "ArrowDown") { step = columns; }
    if (step === undefined) {
      return;
    }
    var next = buttons[here + step];
    if (next) {
      event.preventDefault();
      next.focus();
    }
  });
})();
