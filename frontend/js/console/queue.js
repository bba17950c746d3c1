// The decisions pane, always in view: proposals awaiting approval, proposals held after reports, and
// likely duplicates, across all questions, oldest first.
import { element } from "../dom.js";
import { t } from "../i18n.js";
import { syncCards } from "./cards.js";
import { mergeStart } from "./actions.js";
import { ctx, questionOrder } from "./shared.js";

function visiblePair([a, b]) {
  return ctx.state.proposals.get(a)?.status === "visible" && ctx.state.proposals.get(b)?.status === "visible";
}

export function duplicatePairs() {
  const pairs = [];
  for (const question of [...ctx.state.questions.values()].sort((x, y) => x.order - y.order)) {
    for (const pair of ctx.state.duplicates?.get(question.id) ?? []) if (visiblePair(pair)) pairs.push([question.id, ...pair]);
  }
  return pairs;
}

function renderDuplicates(pairs) {
  const list = document.getElementById("duplicates");
  const focusedKey = document.activeElement?.closest?.("#duplicates li")?.id;
  list.replaceChildren(
    ...pairs.map(([questionId, a, b, , offer]) => {
      const first = ctx.state.proposals.get(a);
      const second = ctx.state.proposals.get(b);
      // Only pairs the detector is precise enough about are offered a merge; the others, a comparison.
      const mode = offer === "merge" ? "merge" : "compare";
      const label = mode === "merge" ? t("mergeFirstIntoSecond", { a: b, b: a }) : t("compareFirstAndSecond", { a, b });
      const merge = element("button", { type: "button", class: `duplicate-${mode}`, dataset: { duplicate: `${b}-${a}` } }, label);
      const item = element(
        "li",
        { id: `duplicate-${a}-${b}`, class: "duplicate", tabindex: "-1", "data-error-host": "" },
        element("p", { class: "proposal-meta" }, t("questionShort", { number: questionOrder(questionId) }), " · ", t(mode === "merge" ? "duplicateLikely" : "duplicatePossible", { a, b })),
        element("p", {}, element("q", { lang: first.language }, first.text)),
        element("p", {}, element("q", { lang: second.language }, second.text)),
        merge,
      );
      merge.addEventListener("click", () => mergeStart({ proposalId: b, into: a, anchor: merge, mode }));
      return item;
    }),
  );
  if (focusedKey) (document.getElementById(focusedKey)?.querySelector("button") ?? list.firstElementChild)?.focus();
}

export function renderQueue() {
  const all = [...ctx.state.proposals.values()].sort((a, b) => a.id - b.id);
  const pending = all.filter((p) => p.status === "pending" && !p.flagged);
  const held = all.filter((p) => p.status === "pending" && p.flagged);
  const pairs = duplicatePairs();
  syncCards(document.getElementById("queue"), pending, { where: "queue" });
  syncCards(document.getElementById("flagged"), held, { where: "flagged" });
  renderDuplicates(pairs);
  const total = pending.length + held.length + pairs.length;
  document.getElementById("queue-empty").hidden = total > 0;
  document.querySelector("[data-role=queue-heading]").textContent = t("queue", { count: total });
  for (const [key, count] of [["pending", pending.length], ["flagged", held.length], ["duplicates", pairs.length]]) {
    const part = document.querySelector(`[data-queue=${key}]`);
    part.hidden = count === 0;
    part.querySelector("[data-role=count]").textContent = String(count);
  }
  const badge = document.getElementById("queue-count");
  if (badge) badge.textContent = String(total);
}
