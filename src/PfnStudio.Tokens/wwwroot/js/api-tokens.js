// API tokens page: copy buttons and revoke confirmation. Served from wwwroot (CSP: no inline script).
(function () {
  "use strict";

  function announce(button, text) {
    var status = button.parentElement.querySelector(".copied");
    var original = button.dataset.label || button.textContent;
    button.dataset.label = original;
    button.textContent = text;
    if (status) { status.textContent = text; }
    window.setTimeout(function () {
      button.textContent = original;
      if (status) { status.textContent = ""; }
    }, 2000);
  }

  document.querySelectorAll("[data-copy-from]").forEach(function (button) {
    button.addEventListener("click", function () {
      var field = document.getElementById(button.dataset.copyFrom);
      if (!field) { return; }
      var text = button.dataset.copyFormat === "export"
        ? 'export PFNSTUDIO_TOKEN="' + field.value + '"'
        : field.value;
      var fallback = function () {
        // Clipboard refused (permissions, insecure context): select the value so Ctrl+C works.
        field.focus();
        field.select();
        announce(button, "Press Ctrl+C to copy");
      };
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(text).then(function () { announce(button, "Copied"); }, fallback);
      } else {
        fallback();
      }
    });
  });

  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.dataset.confirm)) { event.preventDefault(); }
    });
  });
})();
