// Behaviour the pages declare with data- attributes, so that no page needs inline script (Content-Security-Policy:
// script-src 'self'). Delegated from the document, so it also works on fragments htmx swaps in.
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var control = event.target;
    if (control instanceof HTMLElement && control.matches("[data-autosubmit]") && control.form) {
      control.form.submit();
    }
  });
  // 打印 buttons: the page's print stylesheet leaves out navigation, filters and buttons.
  document.addEventListener("click", function (event) {
    var button = event.target instanceof Element ? event.target.closest("[data-print]") : null;
    if (button) {
      document.querySelectorAll("details").forEach(function (details) {
        details.open = true; // folded tables print too
      });
      window.print();
    }
  });
  // A page that comes back with a refused form: the first problem is brought into view and focused, so nobody
  // searches a long form for what was wrong.
  document.addEventListener("DOMContentLoaded", function () {
    var first = document.querySelector(".is-invalid, form [role=alert]");
    if (!first) {
      return;
    }
    var details = first.closest("details");
    if (details) {
      details.open = true;
    }
    first.scrollIntoView({ block: "center" });
    var control = first.matches("input, select, textarea") ? first : first.closest("form") && first.closest("form").querySelector(".is-invalid");
    (control || first).focus({ preventScroll: true });
  });
})();
