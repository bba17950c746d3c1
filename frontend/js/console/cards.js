// A proposal as a compact card: its text, one line of who/what/tally, the one or two actions a moderator
// takes most (approve, hide, restore) and the rest in a "More" menu. Lists are kept in step with the
// state card by card, so a vote arriving does not redraw a card someone is working in.
import { element } from "../dom.js";
import { t } from "../i18n.js";
import { actorTypeName, ctx, questionOrder, tallyLine } from "./shared.js";

// Cards whose "More" menu is open (by card id), kept open across redraws.
const openMenus = new Set();

function statusLabel(proposal) {
  if (proposal.status === "merged") return t("status.merged", { id: proposal.merged_into });
  if (proposal.status === "pending" && proposal.flagged) return t("flaggedHeld");
  return t(`status.${proposal.status}`);
}

function actionButton(label, action, proposal, extra = {}, shortcut = null) {
  return element(
    "button",
    { type: "button", "aria-keyshortcuts": shortcut, dataset: { action, proposal: String(proposal.id), ...extra } },
    label,
  );
}

// `where`: "queue" (the decisions pane: the question's number is shown) or "question".
export function renderProposal(proposal, { where = "question" } = {}) {
  const id = `${where === "question" ? "proposal" : where}-${proposal.id}`;
  const quick = element("div", { class: "card-actions", role: "group", "aria-label": t("actionsFor", { id: proposal.id }) });
  if (proposal.status === "pending") quick.append(actionButton(t("approve"), "approve", proposal, {}, "A"));
  if (proposal.status === "visible" || proposal.status === "pending") quick.append(actionButton(t("hide"), "hide", proposal, {}, "H"));
  if (proposal.status === "hidden") quick.append(actionButton(t("restore"), "restore", proposal));
  const more = [];
  if (proposal.status !== "merged") more.push(actionButton(t("edit"), "edit", proposal, {}, "E"));
  if (where === "question" && proposal.status === "visible") {
    more.push(actionButton(proposal.pinned ? t("unpin") : t("pin"), "pin", proposal, { pinned: proposal.pinned ? "" : "1" }, "P"));
  }
  if (proposal.status !== "merged") more.push(actionButton(t("merge"), "merge", proposal, {}, "M"));
  if (more.length) {
    const menuId = `${id}-more`;
    const open = openMenus.has(id);
    quick.append(
      element("button", { type: "button", class: "more", "aria-expanded": open ? "true" : "false", "aria-controls": menuId, dataset: { menu: id } }, t("moreActions")),
      element("div", { class: "more-menu", id: menuId, hidden: !open }, ...more),
    );
  }
  const meta = [`#${proposal.id}`];
  if (where !== "question") meta.push(t("questionShort", { number: questionOrder(proposal.question) }));
  meta.push(t("by", { name: proposal.author.name ?? t("anonymous") }), actorTypeName(proposal.author.actor_type), proposal.language.toUpperCase());
  // In the queue the list's heading says the status; a question's list says it on each card.
  const flags = [
    where === "question" ? element("span", { class: "status-label" }, statusLabel(proposal)) : "",
    proposal.pinned ? ` · ${t("pinned")}` : "",
    proposal.edited ? ` · ${t("edited")}` : "",
    proposal.flags ? ` · ${t("flags", { count: proposal.flags })}` : "",
    proposal.status === "hidden" && proposal.hidden_reason ? ` · ${t("hiddenBecause", { reason: proposal.hidden_reason })}` : "",
    proposal.tally && proposal.status !== "pending" ? element("span", { class: "tally-line" }, ` · ${tallyLine(proposal.tally)}`) : "",
  ];
  return element(
    "li",
    {
      class: `proposal moderation compact status-${proposal.status}${proposal.pinned ? " pinned" : ""}`,
      id,
      tabindex: "-1",
      "data-error-host": "",
      dataset: { proposalId: String(proposal.id), status: proposal.status, signature: signatureOf(proposal, where) },
    },
    element("div", { class: "card-body" }, ...ctx.translations.render(proposal), element("p", { class: "proposal-meta" }, meta.join(" · ")), element("p", { class: "proposal-flags" }, ...flags)),
    quick,
  );
}

function signatureOf(proposal, where) {
  const translations = ctx.translations;
  return JSON.stringify([where, proposal, translations.showing.has(proposal.id), translations.waiting.has(proposal.id), translations.translationOf(proposal)]);
}

// Brings `list` to show `proposals` in that order: a card whose proposal has not changed is kept as it
// is (focus, an open form and a typed correction stay); a changed one is drawn again, and an open inline
// form or error moves over to the new card with focus.
export function syncCards(list, proposals, { where = "question", force = null } = {}) {
  const existing = new Map([...list.children].map((node) => [node.id, node]));
  const active = document.activeElement;
  let refocus = null;
  const nodes = proposals.map((proposal) => {
    const id = `${where === "question" ? "proposal" : where}-${proposal.id}`;
    const old = existing.get(id);
    if (old && force !== proposal.id && old.dataset.signature === signatureOf(proposal, where)) return old;
    const card = renderProposal(proposal, { where });
    if (old) {
      for (const kept of old.querySelectorAll(":scope > form.inline-edit, :scope > .inline-error")) card.append(kept);
      if (old.contains(active)) {
        refocus = card.contains(active) ? active : card.querySelector(`[data-action="${active.dataset?.action}"]`) ?? card.querySelector(`[data-menu]`) ?? card;
      }
    }
    return card;
  });
  // A card that had focus and leaves the list (approved, hidden, merged) hands focus to the card that
  // took its place, so a keyboard user goes on down the queue.
  const leaving = [...list.children].findIndex((node) => node.contains(active) && !nodes.includes(node));
  let cursor = list.firstElementChild;
  for (const node of nodes) {
    if (node === cursor) {
      cursor = cursor.nextElementSibling;
      continue;
    }
    list.insertBefore(node, cursor);
  }
  while (cursor) {
    const next = cursor.nextElementSibling;
    cursor.remove();
    cursor = next;
  }
  if (!refocus && leaving !== -1 && nodes.length) {
    refocus = nodes[Math.min(leaving, nodes.length - 1)];
  }
  if (refocus?.isConnected) {
    const selection = "selectionStart" in refocus ? [refocus.selectionStart, refocus.selectionEnd] : null;
    refocus.focus();
    if (selection && refocus.setSelectionRange) refocus.setSelectionRange(...selection);
  }
}

export function toggleMenu(button, open = button.getAttribute("aria-expanded") !== "true") {
  const menu = document.getElementById(button.getAttribute("aria-controls"));
  button.setAttribute("aria-expanded", open ? "true" : "false");
  menu.hidden = !open;
  if (open) {
    openMenus.add(button.dataset.menu);
    menu.querySelector("button")?.focus();
  } else {
    openMenus.delete(button.dataset.menu);
  }
}

// A click outside a card's actions closes the menus that are open (as menus do).
export function closeMenusOutside(target) {
  for (const toggle of document.querySelectorAll("[data-menu][aria-expanded=true]")) {
    if (!toggle.parentElement.contains(target)) toggleMenu(toggle, false);
  }
}
