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
})();
