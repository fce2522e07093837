// Studio glue: drag-and-drop reorder of the outline (SortableJS), live Markdown preview, hint ladder reorder.
(function () {
  function initOutline() {
    var lists = document.querySelectorAll(".studio-steps");
    if (!lists.length || !window.Sortable) return;
    var form = document.getElementById("reorder-form");
    lists.forEach(function (list) {
      window.Sortable.create(list, {
        group: "steps", handle: ".handle", animation: 120,
        onEnd: function () {
          var order = Array.prototype.map.call(document.querySelectorAll(".studio-steps"), function (l) {
            return Array.prototype.map.call(l.querySelectorAll(".studio-step"), function (li) { return li.dataset.slug; });
          });
          document.getElementById("reorder-order").value = JSON.stringify(order);
          form.submit();
        }
      });
    });
  }
  function initHints() {
    document.addEventListener("click", function (e) {
      var b = e.target.closest("[data-hint-move]");
      if (b) {
        e.preventDefault();
        var row = b.closest(".hint-row"), dir = b.dataset.hintMove;
        if (dir === "up" && row.previousElementSibling) row.parentNode.insertBefore(row, row.previousElementSibling);
        if (dir === "down" && row.nextElementSibling) row.parentNode.insertBefore(row.nextElementSibling, row);
        if (dir === "remove") row.remove();
        return;
      }
      var add = e.target.closest("[data-hint-add]");
      if (add) {
        e.preventDefault();
        var ladder = document.getElementById(add.dataset.hintAdd);
        var tpl = document.getElementById("hint-template").content.cloneNode(true);
        tpl.querySelector("textarea").name = ladder.dataset.name;
        ladder.appendChild(tpl);
        ladder.lastElementChild.querySelector("textarea").focus();
      }
    });
  }
  function initConcepts() {
    var form = document.getElementById("concept-edit");
    if (!form) return;
    document.addEventListener("click", function (e) {
      var b = e.target.closest("[data-edit-concept]");
      if (!b) return;
      form.elements.original.value = b.dataset.editConcept;
      form.elements.slug.value = b.dataset.editConcept;
      form.elements.folder.value = b.dataset.folder;
      form.elements.name.value = b.dataset.name;
      form.elements.description.value = b.dataset.description;
      form.elements.prerequisites.value = b.dataset.prerequisites;
      document.getElementById("concept-form-title").textContent = "Change concept " + b.dataset.editConcept;
      form.scrollIntoView({ block: "center" });
      form.elements.prerequisites.focus();
    });
  }
  document.addEventListener("DOMContentLoaded", function () { initOutline(); initHints(); initConcepts(); });
})();
