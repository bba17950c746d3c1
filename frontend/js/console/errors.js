// Errors in view: a failed command's message goes next to the control that caused it (its inline form,
// its group, its card), marks the field it is about, and is announced through the page's alert region.
// It stays until that control succeeds, the person edits the field, or the row is drawn again.
import { element } from "../dom.js";

let counter = 0;

// Where a control's error is shown: the inline form it belongs to, else the nearest element that says
// it hosts errors (a fieldset, a card, a theme's controls), else the control's parent.
function hostOf(anchor) {
  if (!anchor || anchor === document.body || !anchor.isConnected) return null;
  return anchor.closest("form.inline-edit, [data-error-host]") ?? anchor.parentElement;
}

function fieldOf(anchor, host) {
  if (anchor.matches?.("input, select, textarea")) return anchor;
  if (host.matches?.("form")) return host.querySelector("input:not([type=hidden]), select, textarea");
  return null;
}

export function showError(anchor, message) {
  const alerts = document.getElementById("alerts");
  const host = hostOf(anchor) ?? document.getElementById("console-errors");
  let note = [...host.children].find((child) => child.classList.contains("inline-error"));
  if (!note) {
    counter += 1;
    note = element("p", { class: "inline-error", id: `inline-error-${counter}` });
    // In a form: under its field, before its buttons; elsewhere at the end of its host.
    const field = fieldOf(anchor, host);
    if (field && host.contains(field) && field.parentElement === host) field.after(note);
    else host.append(note);
  }
  note.textContent = message;
  const field = fieldOf(anchor, host);
  if (field) {
    field.setAttribute("aria-invalid", "true");
    const described = new Set((field.getAttribute("aria-describedby") ?? "").split(" ").filter(Boolean));
    described.add(note.id);
    field.setAttribute("aria-describedby", [...described].join(" "));
    field.addEventListener("input", () => clearError(field), { once: true });
  }
  // Seen: the pane scrolls just enough to show the note (a card's form can end below the pane's edge).
  note.scrollIntoView?.({ block: "nearest" });
  // Announced once, wherever focus is (the visible note is not a live region, so it is not read twice).
  alerts.textContent = "";
  requestAnimationFrame(() => {
    alerts.textContent = message;
  });
  return note;
}

export function clearError(anchor) {
  const host = hostOf(anchor);
  if (!host) return;
  for (const note of [...host.children].filter((child) => child.classList.contains("inline-error"))) {
    for (const field of host.querySelectorAll(`[aria-describedby~="${note.id}"]`)) {
      field.removeAttribute("aria-invalid");
      const rest = field.getAttribute("aria-describedby").split(" ").filter((id) => id && id !== note.id);
      if (rest.length) field.setAttribute("aria-describedby", rest.join(" "));
      else field.removeAttribute("aria-describedby");
    }
    note.remove();
  }
}
