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
  document.addEventListener("htmx:oobAfterSwap", function (e) { init(e.detail.target || document); });
  document.addEventListener("htmx:configRequest", function (e) {
    var form = e.detail.elt.closest && e.detail.elt.closest("form.answer");
    if (form && form.dataset.shownAt) e.detail.parameters["time_taken_ms"] = String(Date.now() - Number(form.dataset.shownAt));
  });
  window.academy = { renderMath: renderMath };
})();
