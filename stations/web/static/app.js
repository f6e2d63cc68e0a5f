// Waystation: small progressive enhancements. Every page works without this file.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  // A form that failed validation: move focus to its list of errors, so keyboard and
  // screen-reader users land on what needs fixing.
  const summary = document.querySelector(".errors-summary");
  if (summary) {
    summary.focus();
  }

  // <form data-confirm="Cancel this shift?">: ask before an action that cannot be undone.
  document.querySelectorAll("form[data-confirm]").forEach((form) => {
    form.addEventListener("submit", (event) => {
      if (!window.confirm(form.dataset.confirm)) {
        event.preventDefault();
      }
    });
  });

  // Buttons of a submitted form are disabled so a double tap on a slow phone network does
  // not send the same form twice.
  document.querySelectorAll("form[method='post']").forEach((form) => {
    form.addEventListener("submit", (event) => {
      if (event.defaultPrevented) {
        return;
      }
      window.setTimeout(() => {
        form.querySelectorAll("button[type='submit']").forEach((button) => {
          button.disabled = true;
        });
      }, 0);
    });
  });
});
