// The chronology's Print button (the page's CSP allows no inline script).
document.querySelectorAll("[data-print]").forEach((button) => {
  button.addEventListener("click", () => window.print());
});
