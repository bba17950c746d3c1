// What a proposal card's buttons do: approve, hide (with the reason its author reads), restore, correct,
// pin, merge. Forms open inside the card, so everything is reachable by keyboard without dialogs; a
// refused command's message appears in the form or the card.
import { element } from "../dom.js";
import { t } from "../i18n.js";
import { showError } from "./errors.js";
import { toggleMenu } from "./cards.js";
import { mergeDialogOpen } from "../merge_dialog.js";
import { ctx, run } from "./shared.js";

// An inline form inside a card (hide reason, corrected text, merge target).
export function inlineForm(row, { label, field, submitLabel, onSubmit, validate = null }) {
  row.querySelector("form.inline-edit")?.remove();
  const id = `${row.id}-inline`;
  const form = element(
    "form",
    { class: "inline-edit stack", novalidate: true },
    element("label", { for: id }, label),
    field,
    element(
      "div",
      { class: "moderation-actions" },
      element("button", { type: "submit", class: "primary" }, submitLabel),
      element("button", { type: "button", dataset: { cancel: "1" } }, t("cancel")),
    ),
  );
  field.id = id;
  form.addEventListener("submit", async (submitEvent) => {
    submitEvent.preventDefault();
    const problem = validate?.(field.value);
    if (problem) {
      showError(field, problem);
      field.focus();
      return;
    }
    if (await onSubmit(field.value, field)) {
      const back = form.closest("li");
      form.remove();
      // Focus returns to the card (or the next one, if this one left the list).
      if (back?.isConnected) back.focus();
    }
  });
  form.addEventListener("keydown", (keyEvent) => {
    if (keyEvent.key === "Escape") form.querySelector("[data-cancel]").click();
  });
  form.querySelector("[data-cancel]").addEventListener("click", () => {
    form.remove();
    row.querySelector("[data-action], [data-menu]")?.focus();
  });
  row.append(form);
  field.focus();
  return form;
}

// The one place a merge starts, from a card's "Merge into…" (no target yet: choose one) or a likely
// duplicate pair (`into` known). Every merge goes through the preview dialog (merge_dialog.js): both
// texts, both tallies and the votes that move or are dropped, before it is confirmed. A pair whose
// detector score is not precise enough for a one-click merge opens it in "compare" mode.
export function mergeStart({ proposalId, into = null, anchor, mode = "merge" }) {
  const confirmRun = (type, fields) => run(type, fields, { anchor });
  if (into !== null) return mergeDialogOpen({ code: ctx.config.code, proposal: proposalId, into, mode, run: confirmRun });
  const proposal = ctx.state.proposals.get(proposalId);
  const row = anchor.closest("li");
  const field = element("select", {}, element("option", { value: "" }, t("mergeChoose")));
  const candidates = [...ctx.state.proposals.values()].filter((p) => p.question === proposal.question && p.status === "visible" && p.id !== proposalId);
  for (const candidate of candidates) field.append(element("option", { value: String(candidate.id) }, `#${candidate.id} ${candidate.text.slice(0, 80)}`));
  return inlineForm(row, {
    label: t("mergeInto", { id: proposalId }),
    field,
    submitLabel: t("mergeGo"),
    validate: (value) => (value ? null : t("mergeChooseFirst")),
    onSubmit: (value, select) =>
      mergeDialogOpen({
        code: ctx.config.code,
        proposal: proposalId,
        into: Number(value),
        run: (type, fields) => run(type, fields, { anchor: select }),
      }),
  });
}

// The card after `row` in its list (or before it, at the end): where focus goes when `row` leaves.
function neighbourOf(row) {
  return row.nextElementSibling ?? row.previousElementSibling;
}

export async function proposalAction(button) {
  const action = button.dataset.action;
  const proposalId = Number(button.dataset.proposal);
  const proposal = ctx.state.proposals.get(proposalId);
  const row = button.closest("li");
  if (!proposal || !row) return;
  if (action === "approve" || action === "restore") {
    const next = row.closest("#queue, #flagged") ? neighbourOf(row)?.id : null;
    if ((await run(`proposal.${action}`, { proposal: proposalId }, { anchor: row })) && next && !row.isConnected) {
      document.getElementById(next)?.focus();
    }
  } else if (action === "pin") {
    await run("proposal.pin", { proposal: proposalId, pinned: Boolean(button.dataset.pinned) }, { anchor: row });
  } else if (action === "hide") {
    const field = element("input", { type: "text", maxlength: "200", value: t("hideReasonDefault") });
    inlineForm(row, {
      label: t("hideReason"),
      field,
      submitLabel: t("hide"),
      validate: (reason) => (reason.trim() ? null : t("hideReasonMissing")),
      onSubmit: (reason, input) => run("proposal.hide", { proposal: proposalId, reason }, { anchor: input }),
    });
    field.select();
  } else if (action === "edit") {
    const field = element("textarea", { rows: "3", maxlength: String(ctx.config.proposalMaxChars) });
    field.value = proposal.text;
    inlineForm(row, {
      label: t("edit"),
      field,
      submitLabel: t("save"),
      validate: (text) => (text.trim() ? null : t("correctionEmpty")),
      onSubmit: (text, input) => run("proposal.edit", { proposal: proposalId, text }, { anchor: input }),
    });
  } else if (action === "merge") {
    mergeStart({ proposalId, anchor: button });
  }
}

// Clicks anywhere in the console that land on a card's button.
export function cardClick(button) {
  if (button.dataset.menu) {
    toggleMenu(button);
    return true;
  }
  if (button.dataset.action) {
    const menu = button.closest(".more-menu");
    if (menu) {
      const toggle = menu.previousElementSibling;
      if (toggle?.dataset.menu) {
        toggleMenu(toggle, false);
        toggle.focus();
      }
    }
    proposalAction(button);
    return true;
  }
  return false;
}
