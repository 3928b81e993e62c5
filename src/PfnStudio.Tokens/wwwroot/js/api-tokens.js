// API tokens page: reveal box focus and clean-up, copy buttons, expiry hint, the access choices.
// Served from wwwroot: the Content-Security-Policy allows no inline script.
(function () {
  "use strict";

  // After a refused form, keyboards and screen readers start at the first field with a message.
  var invalid = document.querySelector(".issue-form [aria-invalid=true]");
  if (invalid) { invalid.focus(); }

  var reveal = document.querySelector("[data-reveal]");
  if (reveal) {
    // Screen readers and keyboards land on the news first; Tab then reaches the token and the copy buttons.
    var title = reveal.querySelector("#reveal-title");
    if (title) { title.focus(); }

    // The reveal came from a POST. Turn this history entry into a plain GET of the page, so that Reload,
    // and Back from elsewhere, fetch the list again (no plaintext, no "Confirm form resubmission").
    if (window.history && window.history.replaceState) {
      window.history.replaceState(null, "", window.location.pathname);
    }

    // Leaving the page drops the plaintext, so a back/forward cache restore cannot show it again.
    window.addEventListener("pagehide", function () {
      var field = reveal.querySelector(".token-value");
      if (field) { field.value = ""; field.textContent = ""; }
      reveal.replaceChildren();
      var gone = document.createElement("p");
      gone.className = "reveal-title";
      gone.textContent = "The token's value is no longer shown. Issue a new token if you did not copy it.";
      reveal.appendChild(gone);
    });
  }

  // Puts a copy button's own label back (and clears its timer).
  function restore(button) {
    window.clearTimeout(Number(button.dataset.timer || 0));
    if (button.dataset.label) { button.textContent = button.dataset.label; }
  }

  function flash(button, status, buttonText, statusText) {
    // Only the button just used says "Copied": the other one's earlier copy is no longer on the clipboard.
    document.querySelectorAll("[data-copy-from]").forEach(function (other) {
      if (other !== button) { restore(other); }
    });
    var original = button.dataset.label || button.textContent;
    button.dataset.label = original;
    button.textContent = buttonText;
    if (status) { status.textContent = statusText; }
    window.clearTimeout(Number(button.dataset.timer || 0));
    button.dataset.timer = String(window.setTimeout(function () {
      button.textContent = original;
      if (status) { status.textContent = ""; }
    }, 2000));
  }

  document.querySelectorAll("[data-copy-from]").forEach(function (button) {
    button.addEventListener("click", function () {
      var field = document.getElementById(button.dataset.copyFrom);
      if (!field) { return; }
      var status = button.parentElement.querySelector("[data-copy-status]");
      var exportLine = button.dataset.copyFormat === "export";
      var text = exportLine ? 'export PFNSTUDIO_TOKEN="' + field.value + '"' : field.value;
      var fallback = function () {
        // Clipboard refused (permission, insecure context): select the token so Ctrl+C copies it.
        field.focus();
        field.select();
        if (status) { status.textContent = "Copying was blocked: the token is selected, press Ctrl+C."; }
      };
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(text).then(function () {
          flash(button, status, "✓ Copied", exportLine ? "Copied the export line." : "Copied the token.");
        }, fallback);
      } else {
        fallback();
      }
    });
  });

  // A hint beside "Expires in (days)" when the expiry is long.
  document.querySelectorAll("input[data-long-expiry-days]").forEach(function (input) {
    var hint = document.getElementById("expiry-hint");
    if (!hint) { return; }
    var limit = Number(input.dataset.longExpiryDays);
    var update = function () {
      var days = Number(input.value);
      var long = input.value !== "" && days > limit;
      hint.textContent = long ? hint.dataset.longText : hint.dataset.shortText;
      hint.classList.toggle("warn", long);
    };
    input.addEventListener("input", update);
    update();
  });

  // The access choices: what a choice makes irrelevant is hidden by the style sheet; here it is also disabled,
  // so it is not posted, and only the chosen organization's projects are offered.
  var form = document.querySelector(".issue-form");
  var fineGrained = document.querySelector("[data-fine-grained]");
  if (form && fineGrained) {
    var sync = function () {
      var full = form.querySelector("#access-full");
      var all = form.querySelector("#project-scope-all");
      var organization = form.querySelector("input[data-organization]:checked");
      fineGrained.querySelectorAll("input").forEach(function (input) { input.disabled = !!(full && full.checked); });
      fineGrained.querySelectorAll("[data-projects-of]").forEach(function (group) {
        var mine = !!organization && group.dataset.projectsOf === organization.value;
        group.hidden = !mine;
        group.querySelectorAll("input").forEach(function (input) {
          input.disabled = !mine || !!(all && all.checked) || !!(full && full.checked);
        });
      });
    };
    form.addEventListener("change", sync);
    sync();
  }
})();
