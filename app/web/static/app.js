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

// Hints before the round trip, in the page's language (the messages come from the catalogue
// through the form's data-msg-* attributes). The server still checks everything.
function hintFor(field, form) {
  const m = form.dataset;
  const v = field.validity;
  if (v) {
    if (v.rangeOverflow) return m.msgMax.replace("{le}", field.max);
    if (v.rangeUnderflow) return m.msgMin.replace("{ge}", field.min);
    if (v.badInput || v.stepMismatch) return field.type === "date" ? m.msgDate : m.msgNumber;
    if (v.patternMismatch || v.tooLong) return m.msgFormat;
    if (v.valueMissing) return m.msgRequired;
  }
  if (field.hasAttribute("data-required") && !field.value) {
    const row = field.closest(".row");
    const others = row ? [...row.querySelectorAll("input:not([type=hidden]), select")] : [];
    if (others.some((other) => other !== field && other.value)) return m.msgRequired;
  }
  return "";
}

function showHint(field) {
  const form = field.closest("[data-incident-form]");
  const box = field.closest(".field");
  if (!form || !box) return;
  const message = hintFor(field, form);
  let hint = box.querySelector(".client-hint");
  if (!message) {
    if (hint) hint.remove();
    return;
  }
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

// As the user types, not on leaving the field: a hint appearing then would move the button
// under the pointer between press and release, and the click would be lost.
for (const kind of ["input", "change"]) {
  document.addEventListener(kind, (event) => showHint(event.target));
}

document.addEventListener("DOMContentLoaded", () => {
  const summary = document.getElementById("error-summary");
  if (summary) summary.focus();
});

// "Copy the text": the drafted paragraphs to the clipboard. Without a script, or where the
// clipboard is refused, the box stays there to select by hand.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-copy]");
  const box = button && document.getElementById(button.dataset.copy);
  if (!box) return;
  box.select();
  if (navigator.clipboard) navigator.clipboard.writeText(box.value).catch(() => {});
});
