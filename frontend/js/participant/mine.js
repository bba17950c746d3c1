// "Your proposals": each of the person's proposals in a question with where it stands (awaiting approval,
// visible, hidden with the moderator's reason, merged), following every moderation live.
import { element } from "../dom.js";
import { t } from "../i18n.js";

function standing(proposal) {
  if (proposal.status === "merged") return [t("status.merged", { id: proposal.merged_into })];
  if (proposal.status === "hidden") {
    return [t("mine.hidden"), proposal.hidden_reason ? ` · ${t("hiddenReason", { reason: proposal.hidden_reason })}` : ""];
  }
  return [t(`mine.${proposal.status}`)];
}

export function renderMine(section, questionId, proposals) {
  const area = section.querySelector("[data-role=mine]");
  const mine = [...proposals.values()].filter((p) => p.question === questionId && p.mine).sort((a, b) => a.id - b.id);
  area.hidden = mine.length === 0;
  area.querySelector("[data-role=mine-list]").replaceChildren(
    ...mine.map((proposal) => {
      const [label, reason] = standing(proposal);
      return element(
        "li",
        { class: "mine-item", dataset: { status: proposal.status, proposalId: String(proposal.id) } },
        element("p", { class: "mine-text", lang: proposal.language || null }, proposal.text),
        element(
          "p",
          { class: "mine-status" },
          element("strong", { class: "mine-label" }, label),
          reason || null,
          proposal.status === "visible" ? " · " : null,
          proposal.status === "visible" ? element("a", { href: `#proposal-${proposal.id}` }, t("mine.seeIt")) : null,
        ),
      );
    }),
  );
}
