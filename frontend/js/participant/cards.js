// Proposals as cards: the compact card of the list and the "next proposal to vote on" card beside it.
import { element, tallyTotal } from "../dom.js";
import { t } from "../i18n.js";

// --- One proposal as a compact card (the list) and the pieces the "next proposal" card shares with it:
// who wrote it in which language, the three vote buttons on one row, the tally.
export const CHOICES = ["agree", "disagree", "pass"];

export function writtenIn(language) {
  const sentence = t(`writtenIn.${language}`);
  return sentence === `writtenIn.${language}` ? t("writtenIn", { language: t(`lang.${language}`) }) : sentence;
}

function tallyText(tally) {
  return tally ? t("tally", { agree: tally.agree, disagree: tally.disagree, pass: tally.pass }) : t("talliesHidden");
}

export function canVoteOn(proposal, question) {
  return proposal.status === "visible" && Boolean(question) && (question.state === "collecting" || question.state === "voting");
}

function statusNote(proposal) {
  if (proposal.status === "visible") return null;
  const lines = [element("strong", {}, proposal.status === "merged" ? t("status.merged", { id: proposal.merged_into }) : t(`status.${proposal.status}`))];
  if (proposal.status === "hidden" && proposal.hidden_reason) lines.push(" · ", t("hiddenReason", { reason: proposal.hidden_reason }));
  return element("p", { class: "proposal-status", dataset: { status: proposal.status } }, ...lines);
}

export function proposalMeta(proposal, actorTypes, extra = null) {
  const actorType = actorTypes[proposal.author.actor_type] ?? proposal.author.actor_type;
  return element(
    "p",
    { class: "proposal-meta" },
    `${proposal.author.name ?? t("anonymous")} · ${actorType}`,
    " · ",
    // The code for the eye, the language's name for screen readers (an abbr's title is not read reliably).
    element("abbr", { title: writtenIn(proposal.language), "aria-hidden": "true" }, proposal.language.toUpperCase()),
    element("span", { class: "visually-hidden" }, writtenIn(proposal.language)),
    proposal.mine ? element("span", { class: "badge" }, t("mine")) : null,
    proposal.edited ? element("span", { class: "edited" }, ` · ${t("edited")}`) : null,
    extra,
  );
}

// Agree / Disagree / Pass, one row; `counts` shows each choice's tally inside its button.
export function voteButtons(proposal, { enabled, counts }) {
  const buttons = element("div", { class: "vote-buttons", role: "group", "aria-label": t("voteOn") });
  for (const choice of CHOICES) {
    buttons.append(
      element(
        "button",
        {
          type: "button",
          class: `vote vote-${choice}`,
          "aria-pressed": proposal.my_vote === choice ? "true" : "false",
          disabled: !enabled,
          dataset: { choice, proposal: String(proposal.id) },
        },
        counts && proposal.tally ? `${t(choice)} ` : t(choice),
        counts && proposal.tally ? element("span", { class: "count" }, String(proposal.tally[choice])) : null,
      ),
    );
  }
  return buttons;
}

export function renderProposal(proposal, { question, actorTypes, translations }) {
  const visible = proposal.status === "visible";
  const bar = element("div", { class: "tally-bar", "aria-hidden": "true" });
  if (proposal.tally) {
    const total = tallyTotal(proposal.tally);
    for (const choice of CHOICES) {
      const segment = element("span", { class: `tally-${choice}` });
      segment.style.width = `${total ? (100 * proposal.tally[choice]) / total : 0}%`;
      bar.append(segment);
    }
  }
  // Reporting is not a vote: its own control, outside the vote group.
  const flag =
    visible && !proposal.mine
      ? element(
          "button",
          { type: "button", class: "flag", "aria-pressed": proposal.my_flag ? "true" : "false", disabled: proposal.my_flag, dataset: { flag: String(proposal.id) } },
          proposal.my_flag ? t("flagged") : t("flag"),
        )
      : null;
  const classes = ["proposal", proposal.mine ? "mine" : "", proposal.pinned ? "pinned" : "", visible ? "" : "not-public"];
  return element(
    "li",
    { class: classes.filter(Boolean).join(" "), id: `proposal-${proposal.id}`, dataset: { proposalId: String(proposal.id) } },
    proposal.pinned ? element("p", { class: "pin-label" }, t("pinned")) : null,
    ...translations.render(proposal),
    // Reporting sits with who wrote it, so the vote buttons keep their row to themselves.
    proposalMeta(proposal, actorTypes, flag),
    statusNote(proposal),
    visible ? bar : null,
    visible ? element("p", { class: proposal.tally ? "visually-hidden tally-text" : "hint tally-text" }, tallyText(proposal.tally)) : null,
    visible
      ? element(
          "div",
          { class: "proposal-actions" },
          voteButtons(proposal, { enabled: canVoteOn(proposal, question), counts: true }),
        )
      : null,
  );
}

// --- "Next proposal to vote on", Pol.is-style: one card with agree / disagree / pass and how many are left,
// beside the full list. The order is the server's, chosen for this person (`vote.order`,
// deliberation/vote_order.py); proposals that arrived since it was asked for come first (they have the
// fewest votes), and the order is asked for again a few seconds later.
const REFRESH_MS = 3000;
const REFRESH_JITTER_MS = 3000; // spread over the room: 150 phones do not ask in the same instant

export class NextVote {
  constructor(section, questionId, { getState, requestOrder, actorTypes, translations }) {
    this.section = section;
    this.questionId = questionId;
    this.root = section.querySelector("[data-role=next-vote]");
    this.cardSlot = this.root.querySelector("[data-role=next-card]");
    this.left = this.root.querySelector("[data-role=next-left]");
    this.status = this.root.querySelector("[data-role=next-status]");
    this.getState = getState;
    this.requestOrder = requestOrder;
    this.actorTypes = actorTypes;
    this.translations = translations;
    this.order = null; // ids, best first, as the server last said
    this.failed = false;
    this.shown = null; // the id on the card now
    this.timer = null;
  }

  eligible(proposal, question) {
    return proposal.question === this.questionId && canVoteOn(proposal, question) && !proposal.mine && !proposal.my_vote;
  }

  // Ask for this person's order now (snapshot, phase change) or soon (new proposals arrived).
  refresh({ soon = false } = {}) {
    clearTimeout(this.timer);
    const ask = async () => {
      this.timer = null;
      try {
        const ack = await this.requestOrder(this.questionId);
        this.order = ack.result.order;
        this.failed = false;
      } catch {
        // The card still works without the server's order: fewest votes first, from what this page knows.
        this.failed = true;
      }
      this.render();
    };
    if (soon) this.timer = setTimeout(ask, REFRESH_MS + Math.random() * REFRESH_JITTER_MS);
    else ask();
  }

  pick(pool) {
    if (this.shown !== null && pool.some((p) => p.id === this.shown)) return this.shown;
    const known = new Set(this.order ?? []);
    const arrived = pool.filter((p) => !known.has(p.id)).sort((a, b) => a.id - b.id);
    if (this.order === null) {
      if (!this.failed) return null;
      const votes = (p) => (p.tally ? p.tally.agree + p.tally.disagree + p.tally.pass : 0);
      return arrived.sort((a, b) => votes(a) - votes(b) || a.id - b.id)[0].id;
    }
    if (arrived.length) return arrived[0].id;
    const inPool = new Set(pool.map((p) => p.id));
    return this.order.find((id) => inPool.has(id)) ?? null;
  }

  render() {
    const state = this.getState();
    if (!state) return;
    const question = state.questions.get(this.questionId);
    const open = question && (question.state === "collecting" || question.state === "voting");
    this.root.hidden = !open;
    if (!open) return;
    const pool = [...state.proposals.values()].filter((p) => this.eligible(p, question));
    this.left.textContent = t("nextLeft", { count: pool.length });
    this.left.hidden = this.order === null && !this.failed;
    const hadFocus = this.cardSlot.contains(document.activeElement);
    const previous = this.shown;
    this.shown = pool.length ? this.pick(pool) : null;
    if (this.shown === null) {
      const anyToVote = [...state.proposals.values()].some((p) => p.question === this.questionId && p.status === "visible" && !p.mine);
      const message = pool.length ? t("nextLoading") : anyToVote ? t("nextDone") : t("nextNone");
      this.cardSlot.replaceChildren(element("p", { class: "hint next-empty" }, message));
      // No next card: the vote's confirmation must not promise one.
      if (this.status.textContent === t("voteRecorded")) this.status.textContent = t("voteRecordedLast");
      return;
    }
    const proposal = state.proposals.get(this.shown);
    // Others' votes change nothing on the card: draw it again only when what it shows changed, so focus
    // and a screen reader's place stay put while the room votes.
    const tr = this.translations;
    const signature = JSON.stringify([proposal.id, proposal.text, proposal.edited, proposal.author, proposal.my_vote,
      tr.showing.has(proposal.id), tr.waiting.has(proposal.id), tr.translationOf(proposal)]);
    const drawn = this.cardSlot.querySelector(".next-card");
    // (A choice pressed on the card that the server refused is drawn again, unpressed.)
    const pressed = drawn?.querySelector("[aria-pressed=true]")?.dataset.choice ?? null;
    if (signature === this.signature && drawn && pressed === (proposal.my_vote ?? null)) return;
    this.signature = signature;
    const focusedChoice = hadFocus ? document.activeElement?.dataset?.choice : null;
    const card = element(
      "div",
      { class: "proposal next-card", id: `next-${this.questionId}`, tabindex: "-1", dataset: { proposalId: String(proposal.id) } },
      ...this.translations.render(proposal),
      proposalMeta(proposal, this.actorTypes),
      voteButtons(proposal, { enabled: true, counts: false }),
    );
    this.cardSlot.replaceChildren(card);
    if (hadFocus && previous === this.shown && focusedChoice) card.querySelector(`[data-choice=${focusedChoice}]`)?.focus();
    else if (hadFocus) card.focus();
  }

  // The person voted on the card: say so where they are looking.
  voted() {
    this.status.textContent = t(this.shown === null ? "voteRecordedLast" : "voteRecorded");
  }
}
