// Keep the reader's place when switching language: the section anchor is the same in every language.
document.addEventListener("click", function (event) {
  var link = event.target.closest("a[data-keep-hash]");
  if (link && window.location.hash) {
    link.href = link.href.split("#")[0] + window.location.hash;
  }
});
// Show how many characters a limited text field still accepts.
document.addEventListener("input", function (event) {
  var field = event.target;
  if (!field.matches("textarea[maxlength][data-counter]")) return;
  var counter = document.getElementById(field.dataset.counter);
  if (counter) counter.textContent = field.value.length + " / " + field.maxLength;
});
// On a phone the table of contents starts folded, so the text is what the reader sees first.
document.addEventListener("DOMContentLoaded", function () {
  if (window.matchMedia("(max-width: 50rem)").matches) {
    document.querySelectorAll(".toc details[open]").forEach(function (d) { d.removeAttribute("open"); });
  }
});
