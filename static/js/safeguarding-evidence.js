// Checks chosen evidence files before sending, so a file that is too big or of the wrong kind
// is explained beside the field and nothing typed is lost to a refused upload.
(function () {
  "use strict";
  var ALLOWED = /\.(png|jpe?g|pdf)$/i;

  function megabytes(bytes) {
    return Math.round(bytes / (1024 * 1024));
  }

  function problemWith(input) {
    var files = Array.prototype.slice.call(input.files || []);
    var maxFiles = parseInt(input.getAttribute("data-max-files") || "0", 10);
    var maxBytes = parseInt(input.getAttribute("data-max-bytes") || "0", 10);
    var maxTotal = parseInt(input.getAttribute("data-max-total") || "0", 10);
    var total = 0;
    if (maxFiles && files.length > maxFiles) {
      return "Please choose at most " + maxFiles + " files.";
    }
    for (var i = 0; i < files.length; i += 1) {
      var file = files[i];
      total += file.size;
      if (!ALLOWED.test(file.name)) {
        return "\u201c" + file.name + "\u201d is not a PNG, JPEG or PDF file.";
      }
      if (maxBytes && file.size > maxBytes) {
        return "\u201c" + file.name + "\u201d is larger than " + megabytes(maxBytes) + " MB.";
      }
    }
    if (maxTotal && total > maxTotal) {
      return "Together these files are more than " + megabytes(maxTotal) +
        " MB. Please send fewer now; the school can add more later.";
    }
    return "";
  }

  document.querySelectorAll("input[type=file][data-max-files]").forEach(function (input) {
    var message = document.getElementById("evidence-check");
    var form = input.form;
    function show(text) {
      if (!message) {
        return;
      }
      message.textContent = text;
      message.hidden = !text;
    }
    input.addEventListener("change", function () {
      show(problemWith(input));
    });
    if (form) {
      form.addEventListener("submit", function (event) {
        var problem = problemWith(input);
        if (problem) {
          event.preventDefault();
          show(problem);
          input.focus();
        }
      });
    }
  });
})();
