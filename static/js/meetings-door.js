// E-safety evenings at the door: filter families as you type, and print the register.
(function () {
  "use strict";

  var search = document.querySelector("[data-filter-target]");
  if (search) {
    var list = document.getElementById(search.getAttribute("data-filter-target"));
    var noMatch = document.querySelector(".meetings-no-match");
    if (list) {
      search.addEventListener("input", function () {
        var words = search.value.toLowerCase().split(/\s+/).filter(Boolean);
        var shown = 0;
        Array.prototype.forEach.call(list.children, function (item) {
          var names = item.getAttribute("data-names") || "";
          var match = words.every(function (word) { return names.indexOf(word) !== -1; });
          item.hidden = !match;
          if (match) { shown += 1; }
        });
        if (noMatch) { noMatch.hidden = shown !== 0; }
      });
    }
  }

  var printButton = document.getElementById("meetings-print");
  if (printButton) {
    printButton.addEventListener("click", function () { window.print(); });
  }
})();
