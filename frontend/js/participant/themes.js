// Themes you can open on the phone: under each theme, the proposals it holds, folded in a <details> that
// stays open across the live re-renders (votes redraw the themes' support).
import { element } from "../dom.js";
import { t } from "../i18n.js";

const opened = new Set(); // "question:theme" keys the person opened

export function addThemeProposals(list, { questionId, themes, proposals }) {
  for (const item of list.querySelectorAll(":scope > li.theme")) {
    const theme = themes.find((entry) => String(entry.number) === item.dataset.theme);
    if (!theme) continue;
    const members = theme.proposals.map((id) => proposals.get(id)).filter(Boolean);
    if (!members.length) continue;
    const key = `${questionId}:${theme.number}`;
    const details = element(
      "details",
      { class: "theme-proposals", open: opened.has(key) },
      element("summary", {}, t("themeProposals", { count: members.length })),
      element(
        "ul",
        {},
        ...members.map((proposal) =>
          element("li", {}, element("a", { href: `#proposal-${proposal.id}`, lang: proposal.language || null }, proposal.text)),
        ),
      ),
    );
    details.addEventListener("toggle", () => (details.open ? opened.add(key) : opened.delete(key)));
    item.append(details);
  }
}
