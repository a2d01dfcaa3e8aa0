/* The article editor: Quill (vendor/quill) takes the place of each textarea[data-rich-text="quill"] and writes its
   HTML back into it on submit. Without JavaScript, or if Quill fails to load, the plain textarea stays and works.
   The server sanitises whatever arrives (articles/sanitize.py); the toolbar only offers what survives that. */
(function () {
  "use strict";
  if (typeof window.Quill === "undefined") {
    return;
  }
  var TOOLBAR = [
    [{ header: [2, 3, 4, false] }],
    ["bold", "italic", "underline", "strike"],
    [{ list: "ordered" }, { list: "bullet" }],
    ["blockquote", "link"],
    ["clean"],
  ];
  var FORMATS = ["header", "bold", "italic", "underline", "strike", "list", "blockquote", "link"];

  function enhance(textarea) {
    var holder = document.createElement("div");
    holder.className = "bg-white";
    holder.style.minHeight = "20rem";
    textarea.parentNode.insertBefore(holder, textarea);
    var quill = new window.Quill(holder, { theme: "snow", formats: FORMATS, modules: { toolbar: TOOLBAR } });
    // The stored body is already clean; after a refused submit the textarea holds what was typed. Either way it is
    // converted to Quill's own document model (parsed in an inert document), never inserted as live HTML.
    quill.setContents(quill.clipboard.convert({ html: textarea.value }), "silent");
    textarea.hidden = true;
    // The editing area is a multi-line text box for assistive technology, and the toolbar's drop-downs say what they
    // choose (Quill leaves both unnamed).
    quill.root.setAttribute("role", "textbox");
    quill.root.setAttribute("aria-multiline", "true");
    holder.parentNode.querySelectorAll(".ql-picker-label").forEach(function (picker) {
      var kind = picker.closest(".ql-picker");
      picker.setAttribute("aria-label", kind && kind.classList.contains("ql-header") ? "段落格式" : "格式");
    });
    var label = document.querySelector('label[for="' + textarea.id + '"]');
    if (label) {
      quill.root.setAttribute("aria-label", label.textContent.replace("*", "").trim());
      label.addEventListener("click", function () {
        quill.focus();
      });
    }
    textarea.form.addEventListener("submit", function () {
      // Quill 2.0.3's semantic HTML turns every space into &nbsp;, which would stop lines from wrapping.
      textarea.value = quill.getText().trim() ? quill.getSemanticHTML().replace(/&nbsp;/g, " ") : "";
    });
  }

  document.querySelectorAll('textarea[data-rich-text="quill"]').forEach(enhance);
})();
