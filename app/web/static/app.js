// A little progressive enhancement; every page works without it.
"use strict";

// "Add a victim" / "Add a perpetrator": clone the row template here instead of a round trip.
function addRow(kind) {
  const rows = document.getElementById(kind + "-rows");
  const template = document.getElementById(kind + "-template");
  if (!rows || !template) return false;
  const index = Number(rows.dataset.next || rows.children.length);
  const html = template.innerHTML.replaceAll("__i__", String(index));
  rows.insertAdjacentHTML("beforeend", html);
  rows.dataset.next = String(index + 1);
  const added = rows.lastElementChild;
  const first = added && added.querySelector("select, input");
  if (first) first.focus();
  return true;
}

// Hints before the round trip: the server still checks everything and has the last word.
function checkField(field) {
  const box = field.closest(".field");
  if (!box) return;
  let message = "";
  if (field.validity && !field.validity.valid) message = field.validationMessage;
  if (field.hasAttribute("data-required") && !field.value) {
    const row = field.closest(".row");
    const filled = row && [...row.querySelectorAll("input, select")].some(
      (other) => other !== field && other.type !== "hidden" && other.value);
    if (filled) message = document.documentElement.lang === "fr" ? "Champ obligatoire." : "This field is required.";
  }
  let hint = box.querySelector(".client-hint");
  if (!message) { if (hint) hint.remove(); return; }
  if (!hint) {
    hint = document.createElement("span");
    hint.className = "client-hint field-error";
    hint.setAttribute("aria-live", "polite");
    box.appendChild(hint);
  }
  hint.textContent = message;
}

document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-add-row]");
  if (button && addRow(button.dataset.addRow)) event.preventDefault();
});

document.addEventListener("change", (event) => {
  if (event.target.closest("[data-incident-form]")) checkField(event.target);
});

document.addEventListener("DOMContentLoaded", () => {
  const summary = document.getElementById("error-summary");
  if (summary) summary.focus();
});
