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
// "Load more" appends the next batch in place; without JavaScript the link opens that batch as a page.
document.addEventListener("click", function (event) {
  var link = event.target.closest("a[data-load-more]");
  if (!link || !window.fetch) return;
  event.preventDefault();
  var url = new URL(link.href);
  url.searchParams.set("fragment", "1");
  url.hash = "";
  fetch(url, { credentials: "same-origin" })
    .then(function (response) { if (!response.ok) throw new Error(response.status); return response.text(); })
    .then(function (html) {
      var holder = link.closest(".load-more");
      var template = document.createElement("template");
      template.innerHTML = html;
      holder.replaceWith(template.content);
    })
    .catch(function () { window.location.href = link.href; });
});
