// One proposal as a compact card (the list) and the pieces the "next proposal" card shares with it:
// who wrote it in which language, the three vote buttons on one row, the tally.
import { element, tallyTotal } from "../dom.js";
import { t } from "../i18n.js";

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
