// The merge dialog: before a merge is confirmed it shows both texts, both tallies, how many votes move
// and how many are dropped (with the rule that decides), read from the server's preview
// (GET /r/<code>/moderate/merge-preview/, docs/protocol.md "Merge preview"). In "compare" mode (a
// likely duplicate the detector is not sure enough about) it shows the same without a merge button.
// A real modal <dialog>: focus moves into it, Escape closes it, focus returns to what opened it.
import { element } from "./dom.js";
import { t } from "./i18n.js";

// Its styles travel with it, so any page that imports it looks right without a template change.
const stylesheet = new URL("../css/merge.css", import.meta.url).href;
if (!document.querySelector(`link[href="${stylesheet}"]`)) {
  document.head.append(element("link", { rel: "stylesheet", href: stylesheet }));
}

let openCount = 0;

async function previewFetch(code, proposal, into) {
  const query = new URLSearchParams({ proposal: String(proposal), into: String(into) });
  const response = await fetch(`/r/${encodeURIComponent(code)}/moderate/merge-preview/?${query}`, {
    credentials: "same-origin",
    headers: { Accept: "application/json" },
  });
  let body = null;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  if (!response.ok) throw new Error(body?.error?.message ?? t("timeout"));
  return body;
}

function tallyList(tally, idPrefix) {
  return element(
    "dl",
    { class: "merge-tally", id: idPrefix },
    ...["agree", "disagree", "pass"].flatMap((choice) => [element("dt", {}, t(choice)), element("dd", { class: `merge-count merge-count-${choice}` }, String(tally[choice]))]),
  );
}

function side(proposal, role, idPrefix) {
  const heading = role === "survivor" ? t("mergeStays", { id: proposal.id }) : role === "merged" ? t("mergeGoes", { id: proposal.id }) : t("compareProposal", { id: proposal.id });
  return element(
    "section",
    { class: `merge-side merge-${role}`, "aria-labelledby": `${idPrefix}-heading` },
    element("h3", { id: `${idPrefix}-heading` }, heading),
    element("p", { class: "merge-text", lang: proposal.language }, proposal.text),
    element("p", { class: "merge-meta" }, [proposal.author ? t("by", { name: proposal.author }) : t("anonymous"), proposal.language.toUpperCase()].join(" · ")),
    element("p", { class: "merge-tally-label" }, t("mergeVotesNow")),
    tallyList(proposal.tally, `${idPrefix}-tally`),
  );
}

/**
 * Open the dialog for merging `proposal` into `into` (mode "merge") or comparing them ("compare").
 * `run(type, fields)` sends a console command and resolves to true when it was acknowledged.
 * Resolves to true if the merge was confirmed and done, false otherwise.
 */
export function mergeDialogOpen({ code, proposal, into, mode = "merge", run }) {
  const opener = document.activeElement;
  // If the console re-renders the opener's row meanwhile, focus returns to that row's merge control.
  const openerRow = opener?.closest?.("li[id]")?.id;
  openCount += 1;
  const id = `merge-dialog-${openCount}`;
  let pair = { proposal, into };
  const title = element("h2", { id: `${id}-title` });
  const body = element("div", { class: "merge-body", id: `${id}-body` }, element("p", { role: "status" }, t("mergeLoading")));
  const problem = element("p", { class: "form-error", role: "alert", id: `${id}-error` });
  const cancel = element("button", { type: "button", class: "merge-cancel" }, mode === "merge" ? t("cancel") : t("close"));
  const swap = element("button", { type: "button", class: "merge-swap" });
  const confirm = element("button", { type: "button", class: "primary merge-confirm" });
  const actions = element("div", { class: "merge-actions" }, ...(mode === "merge" ? [confirm, swap, cancel] : [swap, cancel]));
  const dialog = element(
    "dialog",
    { class: `merge-dialog merge-mode-${mode}`, id, "aria-labelledby": title.id, "aria-describedby": `${id}-summary` },
    title,
    body,
    problem,
    actions,
  );
  document.body.append(dialog);

  let settle;
  const done = new Promise((resolve) => {
    settle = resolve;
  });
  let merged = false;
  dialog.addEventListener("close", () => {
    dialog.remove();
    if (opener?.isConnected) opener.focus();
    else if (openerRow) {
      const row = document.getElementById(openerRow);
      (row?.querySelector("[data-action=merge]") ?? row?.querySelector("button"))?.focus();
    }
    settle(merged);
  });
  cancel.addEventListener("click", () => dialog.close());

  async function show() {
    const { proposal: from, into: to } = pair;
    title.textContent = mode === "merge" ? t("mergeDialogTitle", { merged: from, survivor: to }) : t("compareDialogTitle", { a: to, b: from });
    swap.textContent = mode === "merge" ? t("mergeSwap", { id: from }) : t("compareSwap");
    confirm.textContent = t("mergeConfirm", { merged: from, survivor: to });
    confirm.disabled = true;
    problem.textContent = "";
    let preview;
    try {
      preview = await previewFetch(code, from, to);
    } catch (error) {
      body.replaceChildren(element("p", { id: `${id}-summary` }, t("mergeUnavailable")));
      problem.textContent = error.message;
      return;
    }
    const sentences = preview.sentences;
    const summary = element(
      "div",
      { class: "merge-summary", id: `${id}-summary` },
      element("p", {}, sentences.moved),
      element("p", {}, sentences.dropped),
      sentences.differing ? element("p", {}, sentences.differing) : null,
      element("p", { class: "hint" }, sentences.rule),
      element("p", { class: "merge-after-label" }, t("mergeAfter", { id: to })),
      tallyList(preview.survivor_after, `${id}-after`),
    );
    body.replaceChildren(
      element(
        "div",
        { class: "merge-sides" },
        side(preview.survivor, mode === "merge" ? "survivor" : "first", `${id}-survivor`),
        side(preview.merged, mode === "merge" ? "merged" : "second", `${id}-merged`),
      ),
      mode === "merge" ? summary : element("div", { class: "merge-summary", id: `${id}-summary` }, element("p", {}, t("compareNote")), element("p", { class: "merge-after-label" }, t("compareIfMerged", { merged: from, survivor: to })), ...summary.childNodes),
    );
    confirm.disabled = false;
  }

  swap.addEventListener("click", () => {
    pair = { proposal: pair.into, into: pair.proposal };
    show();
  });
  confirm.addEventListener("click", async () => {
    confirm.disabled = true;
    const { proposal: from, into: to } = pair;
    if (await run("proposal.merge", { proposal: from, into: to })) {
      merged = true;
      dialog.close();
    } else {
      problem.textContent = t("mergeFailed");
      confirm.disabled = false;
    }
  });

  dialog.showModal();
  // Start on the harmless button: Enter on an opened dialog must not merge.
  cancel.focus();
  show();
  return done;
}

/** The button a "likely duplicates" row offers: "merge" for pairs precise enough, else "compare". */
export function duplicateButton({ code, pair, run }) {
  const [a, b, , offer] = pair;
  const mode = offer === "merge" ? "merge" : "compare";
  const label = mode === "merge" ? t("mergeFirstIntoSecond", { a: b, b: a }) : t("compareFirstAndSecond", { a, b });
  const button = element("button", { type: "button", class: `duplicate-${mode}` }, label);
  button.addEventListener("click", () => mergeDialogOpen({ code, proposal: b, into: a, mode, run }));
  return button;
}
