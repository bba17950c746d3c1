// Keyboard shortcuts for what a moderator does most, on the item that has focus: J / K next and
// previous item (the decisions queue first, then the open question's proposals), A approve, H hide,
// E correct, M merge, P pin; 1–9 open a question; D switches between proposals and conclusions.
// Never while typing in a field, nor with Ctrl, Alt or Meta (those belong to the browser and to
// screen readers). Listed on the page and on each button (aria-keyshortcuts).
import { proposalAction } from "./actions.js";
import { showView, currentView } from "./drafting.js";
import { sections, select } from "./question.js";

const ACTIONS = { a: "approve", h: "hide", e: "edit", m: "merge", p: "pin" };

function typing(target) {
  return target.closest?.("input, textarea, select, [contenteditable]:not([contenteditable=false])");
}

// Every item one can move to, in reading order: queue cards, duplicate pairs, then the open question's
// proposal cards.
function items() {
  const open = document.querySelector("section.console-question:not([hidden]) [data-role=proposals]");
  return [
    ...document.querySelectorAll("#queue > li, #flagged > li, #duplicates > li"),
    ...(open ? open.querySelectorAll(":scope > li") : []),
  ];
}

function move(step) {
  const all = items();
  if (!all.length) return;
  const current = document.activeElement?.closest?.("li.proposal, li.duplicate");
  const at = all.indexOf(current);
  const next = at === -1 ? (step > 0 ? all[0] : all.at(-1)) : all[Math.min(all.length - 1, Math.max(0, at + step))];
  next.focus();
  next.scrollIntoView({ block: "nearest" });
}

export function setupShortcuts() {
  document.addEventListener("keydown", (keyEvent) => {
    if (keyEvent.ctrlKey || keyEvent.altKey || keyEvent.metaKey || keyEvent.defaultPrevented) return;
    if (typing(keyEvent.target)) return;
    const key = keyEvent.key.toLowerCase();
    if (key === "j" || key === "k") {
      keyEvent.preventDefault();
      move(key === "j" ? 1 : -1);
      return;
    }
    if (/^[1-9]$/.test(key)) {
      const id = [...sections.keys()][Number(key) - 1];
      if (id === undefined) return;
      keyEvent.preventDefault();
      select(id, { remember: true });
      document.querySelector(`[role=tab][data-question-id="${id}"]`)?.focus();
      return;
    }
    if (key === "d") {
      keyEvent.preventDefault();
      showView(currentView() === "drafting" ? "steer" : "drafting", { focus: true });
      return;
    }
    const action = ACTIONS[key];
    const card = document.activeElement?.closest?.("li.proposal");
    if (!action || !card) return;
    const button = card.querySelector(`[data-action=${action}]`);
    if (!button) return;
    keyEvent.preventDefault();
    proposalAction(button);
  });
}
