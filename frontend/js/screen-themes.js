// Themes on the projector, opened: each theme's name, size and support, and its most supported
// proposals (the newest while votes are hidden), so the room sees what each theme holds.
import { themeLabel, themeMachineMark, themeSupport, themesSplit } from "./analysis.js";
import { element } from "./dom.js";
import { t, tn } from "./i18n.js";
import { fitList } from "./screen-fit.js";

// Each theme opens onto its two leading proposals, or one when that lets more themes fit.
const PROPOSALS_PER_THEME = [2, 1];

function leading(theme, proposals, count) {
  return theme.proposals
    .map((id) => proposals.get(id))
    .filter(Boolean)
    .sort((a, b) => (b.tally?.agree ?? 0) - (a.tally?.agree ?? 0) || b.id - a.id)
    .slice(0, count);
}

function themeItem(theme, { proposals, language, perTheme }) {
  const label = themeLabel(theme, language);
  const support = themeSupport(theme, proposals);
  const share = support && support.votes ? Math.round((100 * support.agree) / support.votes) : null;
  const inside = leading(theme, proposals, perTheme);
  const rest = theme.proposals.length - inside.length;
  return element(
    "li",
    { class: "theme screen-theme", id: `screen-theme-${theme.number}`, dataset: { theme: theme.number } },
    element(
      "p",
      { class: "theme-title" },
      element("span", { class: "theme-number" }, t("themeNumber", { number: theme.number })),
      " ",
      element("strong", { lang: label.language || null }, label.text),
      // Another language's name (no translation yet): say which, as the phones do.
      label.fallback ? element("span", { class: "hint" }, ` (${t(`lang.${label.language}`)})`) : null,
      // A name the translation server made: "(machine translation)" after it, as on the phones, at the
      // figures' size: a line of its own per theme would cost the wall a theme.
      themeMachineMark(label),
    ),
    element(
      "p",
      { class: "theme-figures" },
      tn("themeProposals", theme.proposals.length),
      share === null ? "" : ` · ${t("themeSupport", { share, agree: support.agree, votes: support.votes, count: support.votes })}`,
    ),
    inside.length
      ? element(
          "ul",
          { class: "theme-proposals" },
          ...inside.map((proposal) =>
            element("li", { lang: proposal.language, dataset: { proposalId: String(proposal.id) } }, proposal.text),
          ),
          rest > 0 ? element("li", { class: "screen-more" }, tn("moreProposals", rest)) : null,
        )
      : null,
  );
}

// Proposals no theme holds yet: one line after the themes, with how many, and none of their texts.
function unsortedItem(count) {
  return element(
    "li",
    { class: "theme screen-theme theme-unsorted", id: "screen-theme-unsorted", dataset: { theme: "unsorted" } },
    element("p", { class: "theme-title" }, element("strong", {}, t("themeUnsorted"))),
    element("p", { class: "theme-figures" }, tn("themeProposals", count)),
  );
}

// The question's themes, largest first, as many as fit, then "+N more themes"; the unsorted last (a
// theme's leading proposals give way before the unsorted line does).
export function renderScreenThemes(list, { themes, proposals, language }) {
  const { sorted, unsorted } = themesSplit(themes);
  const total = sorted.length + (unsorted.length ? 1 : 0);
  const draw = (perTheme) => {
    const items = sorted.map((theme) => themeItem(theme, { proposals, language, perTheme }));
    if (unsorted.length) items.push(unsortedItem(unsorted.length));
    fitList(list, items, { moreKey: "moreThemes" });
    return list.querySelectorAll(":scope > .screen-theme").length;
  };
  let best = null;
  for (const perTheme of PROPOSALS_PER_THEME) {
    const shown = draw(perTheme);
    if (shown === total) return;
    if (!best || shown > best.shown) best = { shown, perTheme };
  }
  if (best.perTheme !== PROPOSALS_PER_THEME.at(-1)) draw(best.perTheme);
}
