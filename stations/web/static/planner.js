// Small helps for the planning pages; every page works without them.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  for (const button of document.querySelectorAll("[data-print]")) {
    button.addEventListener("click", () => window.print());
  }

  // The new-campaign form: picking a holiday and a year fills in its usual dates,
  // unless the person has typed dates of their own.
  const form = document.querySelector("form[data-holiday-windows]");
  if (!form) return;
  let windows = {};
  try {
    windows = JSON.parse(form.dataset.holidayWindows);
  } catch {
    return;
  }
  const kind = form.querySelector("[name=kind]");
  const year = form.querySelector("[name=year]");
  const first = form.querySelector("[name=starts_on]");
  const last = form.querySelector("[name=ends_on]");
  if (!kind || !year || !first || !last) return;
  // What this script last wrote: dates still equal to it were not typed by the person.
  let filled = { first: "", last: "" };
  const fill = () => {
    const untouched = first.value === filled.first && last.value === filled.last;
    if (!untouched) return;
    const dates = (windows[kind.value] || {})[year.value.trim()];
    filled = dates ? { first: dates[0], last: dates[1] } : { first: "", last: "" };
    first.value = filled.first;
    last.value = filled.last;
  };
  // The server's hint names the holiday first shown; once the choice changes it is stale.
  const hint = document.getElementById("holiday-hint");
  const changed = () => {
    if (hint) hint.hidden = true;
    fill();
  };
  kind.addEventListener("change", changed);
  year.addEventListener("input", changed);
  fill();
});
