// Keyboard shortcuts of the review page: j/k next/previous field, a accept, e edit, n next document.
"use strict";

function follow(link) {
  if (link) window.location.href = link.href;
}

document.addEventListener("keydown", (event) => {
  const target = event.target;
  if (target instanceof HTMLElement && target.closest("input, textarea, select")) {
    if (event.key === "Escape") target.blur();
    return;
  }
  if (event.ctrlKey || event.metaKey || event.altKey) return;
  const links = Array.from(document.querySelectorAll("a.field-link"));
  const current = links.findIndex((link) => link.classList.contains("selected"));
  switch (event.key) {
    case "j":
      follow(links[current + 1]);
      break;
    case "k":
      follow(current > 0 ? links[current - 1] : null);
      break;
    case "a": {
      const form = document.getElementById("accept-form");
      if (form) form.submit();
      break;
    }
    case "e": {
      const input = document.getElementById("correct-value");
      if (input) {
        input.focus();
        input.select();
      }
      break;
    }
    case "n":
      follow(document.getElementById("next-doc"));
      break;
    default:
      return;
  }
  event.preventDefault();
});

document.addEventListener("DOMContentLoaded", () => {
  document.body.dataset.keys = "ready"; // the shortcuts above are listening
  const selected = document.querySelector("a.field-link.selected");
  if (selected) selected.scrollIntoView({ block: "center" });
});
