// Every action answers in view: an error appears next to the control that caused it (and is announced),
// a confirmation next to the form that was sent. Errors survive the live re-render of what they sit in.
import { element } from "../dom.js";

const alerts = () => document.getElementById("alerts");
const kept = new Map(); // key -> {message, anchor: () => Element | null}

function place(key) {
  const entry = kept.get(key);
  const anchor = entry?.anchor();
  if (!anchor) return;
  let box = anchor.querySelector(`:scope > .inline-error[data-error-key="${key}"]`);
  if (!box) {
    box = element("p", { class: "inline-error", dataset: { errorKey: key } });
    anchor.append(box);
  }
  box.textContent = entry.message;
}

// Shows `message` inside the element `anchor()` returns (now and after each re-render), and says it.
export function showError(key, anchor, message) {
  kept.set(key, { message, anchor });
  place(key);
  alerts().textContent = message;
}

export function clearError(key) {
  const entry = kept.get(key);
  kept.delete(key);
  entry?.anchor()?.querySelector(`:scope > .inline-error[data-error-key="${key}"]`)?.remove();
}

// After a part of the page was drawn again: put back the errors that belong in it.
export function restoreErrors() {
  for (const key of kept.keys()) place(key);
}
