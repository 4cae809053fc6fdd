/* The narrative's formatting editor: a contenteditable area with a small toolbar (bold,
   italic, heading, lists) that copies its HTML into the form's textarea on submit. Without
   JavaScript the plain textarea stays; the server cleans whatever arrives. */
(function () {
  "use strict";
  function setUp(form) {
    var source = form.querySelector("textarea.narrative-source");
    var editor = form.querySelector("[data-editor]");
    if (!source || !editor || typeof document.execCommand !== "function") { return; }
    var area = editor.querySelector("[contenteditable]");
    area.innerHTML = source.value;
    editor.classList.remove("is-hidden");
    source.closest(".field").classList.add("is-hidden");
    var flag = form.querySelector("input[name=editor]");
    if (flag) { flag.value = "1"; }
    editor.querySelectorAll("[data-command]").forEach(function (button) {
      button.addEventListener("click", function (event) {
        event.preventDefault();
        area.focus();
        var command = button.getAttribute("data-command");
        var value = button.getAttribute("data-value");
        if (command === "formatBlock") {
          var current = document.queryCommandValue("formatBlock").toLowerCase();
          value = current === value ? "p" : value;
        }
        document.execCommand(command, false, value);
      });
    });
    area.addEventListener("paste", function (event) {
      // Paste as plain text: formatting from Word or web pages would be dropped anyway.
      var text = (event.clipboardData || window.clipboardData).getData("text/plain");
      event.preventDefault();
      document.execCommand("insertText", false, text);
    });
    form.addEventListener("submit", function () { source.value = area.innerHTML; });
  }
  document.querySelectorAll("form[data-narrative]").forEach(setUp);
})();
