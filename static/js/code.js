// Code exercises: a CodeMirror 5 editor on every textarea[data-code-editor] (Python mode, 4-space indent, bracket
// matching), Ctrl-Enter = Run visible tests, Shift-Ctrl-Enter = Submit, and a fresh client id for every Run / Submit.
(function () {
  function newId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return "10000000-1000-4000-8000-100000000000".replace(/[018]/g, function (c) {
      return (c ^ (crypto.getRandomValues(new Uint8Array(1))[0] & (15 >> (c / 4)))).toString(16);
    });
  }
  function press(form, mode) {
    var b = form.querySelector('button[value="' + mode + '"]');
    if (b) b.click();
  }
  function init(root) {
    if (!window.CodeMirror) return;
    root.querySelectorAll("textarea[data-code-editor]").forEach(function (ta) {
      if (ta.dataset.ready) return;
      ta.dataset.ready = "1";
      var form = ta.closest("form");
      var cm = CodeMirror.fromTextArea(ta, {
        mode: "python", theme: "material-darker", lineNumbers: true, indentUnit: 4, tabSize: 4, indentWithTabs: false,
        matchBrackets: true, autoCloseBrackets: true, viewportMargin: Infinity,
        extraKeys: {
          Tab: function (c) { c.somethingSelected() ? c.indentSelection("add") : c.replaceSelection("    ", "end"); },
          "Shift-Tab": function (c) { c.indentSelection("subtract"); },
          "Ctrl-Enter": function () { press(form, "run"); }, "Cmd-Enter": function () { press(form, "run"); },
          "Shift-Ctrl-Enter": function () { press(form, "submit"); }, "Shift-Cmd-Enter": function () { press(form, "submit"); },
        },
      });
      cm.on("change", function () { cm.save(); });
      ta.codemirror = cm;
    });
  }
  document.addEventListener("htmx:configRequest", function (e) {
    var form = e.detail.elt.closest ? e.detail.elt.closest("form[data-code-form]") : null;
    if (!form) return;
    form.querySelectorAll("textarea[data-code-editor]").forEach(function (ta) {
      if (ta.codemirror) { ta.codemirror.save(); e.detail.parameters[ta.name] = ta.value; }
    });
    e.detail.parameters["client_id"] = newId();
  });
  document.addEventListener("htmx:load", function (e) { init(e.detail.elt); });
  document.addEventListener("DOMContentLoaded", function () { init(document); });
})();
