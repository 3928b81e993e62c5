// Every page: the avatar menu closes on Escape (focus back on the avatar) and on a click elsewhere.
(function () {
  "use strict";

  var menu = document.querySelector("details.avatar-menu");
  if (!menu) { return; }

  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && menu.open) {
      menu.open = false;
      menu.querySelector("summary").focus();
    }
  });

  document.addEventListener("click", function (event) {
    if (menu.open && !menu.contains(event.target)) { menu.open = false; }
  });
})();

// Every page: a form with data-confirm asks first (revoking a token, removing a member).
(function () {
  "use strict";

  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.dataset.confirm)) { event.preventDefault(); }
    });
  });
})();
