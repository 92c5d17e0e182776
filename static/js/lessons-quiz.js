// Quiz: check an answer without leaving the page. Without JavaScript the form posts as usual.
(function () {
  "use strict";
  var form = document.querySelector("form[data-quiz-form]");
  if (!form || !window.fetch || !window.FormData) {
    return;
  }
  var feedback = document.getElementById("feedback");
  var next = document.querySelector("[data-quiz-next]");
  var bar = document.querySelector("[data-progress-bar]");
  var barText = document.querySelector("[data-progress-text]");

  function say(kind, icon, text, extra) {
    feedback.textContent = "";
    var p = document.createElement("p");
    p.className = "feedback " + kind;
    var picture = document.createElement("span");
    picture.setAttribute("aria-hidden", "true");
    picture.textContent = icon + " ";
    p.append(picture, text);
    if (extra) {
      var strong = document.createElement("strong");
      strong.textContent = " " + extra;
      p.append(strong);
    }
    feedback.append(p);
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var chosen = form.querySelector("input[name=answer]:checked");
    if (!chosen) {
      say("again", "👆", "Choose an answer, then press the button.");
      return;
    }
    var button = form.querySelector("button[type=submit]");
    button.disabled = true;
    fetch(form.action || window.location.href, {
      method: "POST",
      body: new FormData(form),
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    })
      .then(function (response) {
        return response.json().then(function (data) {
          return { ok: response.ok, data: data };
        });
      })
      .then(function (result) {
        button.disabled = false;
        var data = result.data;
        if (!result.ok) {
          say("again", "👆", data.error || "Please try again.");
          return;
        }
        if (bar) {
          bar.value = data.steps_done;
          bar.max = data.steps_total;
        }
        if (barText) {
          barText.textContent = data.steps_done + " of " + data.steps_total + " steps done";
        }
        if (data.correct) {
          say("right", "🌟", data.feedback);
          form.hidden = true;
          if (next) {
            next.querySelector("a").href = data.next_url;
            next.hidden = false;
            next.querySelector("a").focus();
          }
        } else {
          say("again", "💛", data.feedback, "Have another go!");
          chosen.checked = false;
        }
      })
      .catch(function () {
        button.disabled = false;
        form.submit(); // fall back to the ordinary form post
      });
  });
})();
