// The projector's lists: proposals arriving, the most supported, and who takes part by actor type.
// Each shows what fits its column and says how many more there are.
import { element } from "./dom.js";
import { t } from "./i18n.js";
import { fitList } from "./screen-fit.js";

// More than ever fit a column, fewer than a long session holds: the fitting starts from these.
const LIST_MAX = 12;

function proposalItem(proposal, { actorTypes, withSupport }) {
  const actorType = actorTypes[proposal.author.actor_type] ?? proposal.author.actor_type;
  return element(
    "li",
    { class: "screen-proposal", dataset: { proposalId: String(proposal.id) } },
    element("p", { class: "proposal-text", lang: proposal.language }, proposal.text),
    element(
      "p",
      { class: "proposal-meta" },
      `${proposal.author.name ?? t("anonymous")} · ${actorType}`,
      withSupport && proposal.tally ? element("strong", { class: "support" }, ` · ${t("support", { agree: proposal.tally.agree })}`) : "",
    ),
  );
}

function hint(text) {
  return element("li", { class: "hint" }, text);
}

export function renderProposalLists({ latest, top }, proposals, { actorTypes }) {
  const newest = [...proposals].sort((a, b) => b.id - a.id);
  fitList(
    latest,
    newest.slice(0, LIST_MAX).map((p) => proposalItem(p, { actorTypes, withSupport: false })),
    { empty: hint(t("noneYet")), moreKey: "moreProposals", total: newest.length },
  );
  const supported = proposals
    .filter((p) => p.tally && p.tally.agree > 0)
    .sort((a, b) => b.tally.agree - a.tally.agree || a.tally.disagree - b.tally.disagree || a.id - b.id);
  const hidden = proposals.length > 0 && proposals.every((p) => p.tally === null);
  fitList(
    top,
    supported.slice(0, LIST_MAX).map((p) => proposalItem(p, { actorTypes, withSupport: true })),
    { empty: hint(hidden ? t("talliesHidden") : t("noneYet")), moreKey: "moreProposals", total: supported.length },
  );
}

// Each actor type with a bar, largest first, as many as fit.
export function renderBalance(list, counts, { actorTypes }) {
  const largest = Math.max(1, ...Object.values(counts.by_actor_type));
  const rows = Object.entries(counts.by_actor_type)
    .sort((a, b) => b[1] - a[1])
    .map(([key, count]) => {
      const bar = element("span", { class: "balance-bar", "aria-hidden": "true" });
      bar.style.width = `${(100 * count) / largest}%`;
      return element("li", {}, element("span", { class: "balance-label" }, t("countOf", { name: actorTypes[key] ?? key, count })), bar);
    });
  fitList(list, rows, { moreKey: "moreActorTypes" });
}
