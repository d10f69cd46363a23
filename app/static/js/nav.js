// The header menu folds behind a "Menu" button on narrow screens (the CSS decides when, see .nav-toggle).
// Without JavaScript the button stays hidden and the menu stays open, so every link is still reachable.
// Loaded with defer: the document is parsed when this runs, so the menu folds before the page is shown for long.
(function () {
  "use strict";
  var button = document.querySelector("[data-nav-toggle]");
  var header = button && button.closest(".site-header");
  if (!header) return;

  function setOpen(open) {
    header.classList.toggle("nav-collapsed", !open);
    button.setAttribute("aria-expanded", open ? "true" : "false");
  }

  button.hidden = false;
  setOpen(false);
  button.addEventListener("click", function () {
    setOpen(button.getAttribute("aria-expanded") !== "true");
  });
  // Escape folds an open menu and gives the focus back to its button, as a disclosure should.
  header.addEventListener("keydown", function (event) {
    if (event.key !== "Escape" || button.getAttribute("aria-expanded") !== "true") return;
    if (window.getComputedStyle(button).display === "none") return;
    setOpen(false);
    button.focus();
  });
})();
