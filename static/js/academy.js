// Academy front-end glue: KaTeX for math spans, time-on-problem for attempts. Works with htmx swaps.
(function () {
  function renderMath(root) {
    if (!window.katex) return;
    root.querySelectorAll(".math.inline, .math.block").forEach(function (el) {
      if (el.dataset.rendered) return;
      try {
        window.katex.render(el.textContent, el, { displayMode: el.classList.contains("block"), throwOnError: false });
        el.dataset.rendered = "1";
      } catch (e) { /* leave the TeX source visible */ }
    });
  }
  function stampProblems(root) {
    root.querySelectorAll("form.answer").forEach(function (f) {
      if (!f.dataset.shownAt) f.dataset.shownAt = String(Date.now());
    });
  }
  function init(root) { renderMath(root); stampProblems(root); }
  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:afterSwap", function (e) { init(e.detail.target.parentNode || document); });
  document.addEventListener("htmx:configRequest", function (e) {
    var form = e.detail.elt.closest && e.detail.elt.closest("form.answer");
    if (form && form.dataset.shownAt) e.detail.parameters["time_taken_ms"] = String(Date.now() - Number(form.dataset.shownAt));
  });
  // A refused htmx request (429 rate limit, 5xx, lost connection) is said out loud, never a silent no-op.
  function say(elt, text) {
    var box = document.getElementById("academy-alert");
    if (!box) {
      box = document.createElement("p");
      box.id = "academy-alert";
      box.className = "alert";
      box.setAttribute("role", "alert");
      document.body.prepend(box);
    }
    box.textContent = text;
  }
  document.addEventListener("htmx:responseError", function (e) {
    var xhr = e.detail.xhr;
    say(e.detail.elt, xhr.status === 429 ? "Too many requests: please wait a minute and try again."
      : "That did not go through (error " + xhr.status + "). Please try again.");
  });
  document.addEventListener("htmx:sendError", function (e) { say(e.detail.elt, "The server cannot be reached; please try again in a moment."); });
  window.academy = { renderMath: renderMath };
})();
