// The page's frame on a phone: the title, question chips and folding, "Your proposals", themes you can open.
import { themesSplit } from "../analysis.js";
import { element } from "../dom.js";
import { t } from "../i18n.js";

// --- The question frame on the phone: the open question unfolded, the others folded to their title (one tap
// reads them), chips that say which question is open, and empty states that never contradict the phase
// (nor say "no proposals yet" before the snapshot has arrived).
const OPEN_STATES = new Set(["collecting", "voting"]);
const chosenByPerson = new Map(); // question id -> folded (true/false) when the person chose

export function isOpen(question) {
  return OPEN_STATES.has(question?.state);
}

function setFolded(section, folded) {
  section.dataset.folded = folded ? "true" : "false";
  section.querySelector("[data-role=body]").hidden = folded;
  const toggle = section.querySelector("[data-role=fold-toggle]");
  toggle.setAttribute("aria-expanded", folded ? "false" : "true");
  toggle.textContent = folded ? t("fold.show") : t("fold.hide");
}

// Unfold a question the person asked for (a chip, a link to one of its proposals).
export function unfold(section) {
  chosenByPerson.set(Number(section.dataset.questionId), false);
  setFolded(section, false);
}

export function foldControls(sections) {
  for (const section of sections.values()) {
    section.querySelector("[data-role=fold-toggle]").addEventListener("click", () => {
      const folded = section.dataset.folded !== "true";
      chosenByPerson.set(Number(section.dataset.questionId), folded);
      setFolded(section, folded);
    });
  }
  // A chip or a link to a folded question (or a proposal in it) opens it before the page jumps there.
  const follow = (hash) => {
    const target = hash ? document.getElementById(decodeURIComponent(hash.slice(1))) : null;
    const section = target?.closest("section.question");
    if (section && section.dataset.folded === "true") unfold(section);
  };
  document.addEventListener("click", (clickEvent) => {
    const link = clickEvent.target.closest("a[href^='#']");
    if (link) follow(link.getAttribute("href"));
  });
  window.addEventListener("hashchange", () => follow(location.hash));
  follow(location.hash);
}

// Which questions are unfolded: the open ones; when none is open, the one the moderators show.
export function applyFolding(state, sections) {
  const anyOpen = [...state.questions.values()].some(isOpen);
  for (const question of state.questions.values()) {
    const section = sections.get(question.id);
    if (!section) continue;
    const automatic = !(isOpen(question) || (!anyOpen && state.roundtable.current_question === question.id));
    setFolded(section, chosenByPerson.get(question.id) ?? automatic);
  }
}

// A phase change decides again: the question that opens unfolds even if the person had folded it.
export function forgetChoice(questionId) {
  chosenByPerson.delete(questionId);
}

export function renderChips(state) {
  for (const chip of document.querySelectorAll(".question-chips a[data-question-id]")) {
    const question = state.questions.get(Number(chip.dataset.questionId));
    if (!question) continue;
    chip.dataset.state = question.state;
    chip.querySelector("[data-role=chip-state]").textContent = t(`chip.${question.state}`);
    if (isOpen(question)) chip.setAttribute("aria-current", "true");
    else chip.removeAttribute("aria-current");
  }
}

export function renderQuestionState(section, question) {
  const stateLabel = section.querySelector("[data-role=state]");
  stateLabel.dataset.state = question.state;
  stateLabel.textContent = t(`state.${question.state}`);
  const collecting = question.state === "collecting";
  section.querySelector("[data-role=form]").hidden = !collecting;
  section.querySelector("[data-role=write-link]").hidden = !collecting;
  section.querySelector("[data-role=closed-note]").hidden = collecting;
}

// The count in the heading and the empty state, worded for the phase.
export function showProposalCount(section, question) {
  const list = section.querySelector("[data-role=proposals]");
  const count = list.querySelectorAll(":scope > li:not(.not-public)").length;
  const empty = section.querySelector("[data-role=empty]");
  empty.hidden = list.children.length > 0;
  const state = question?.state;
  empty.textContent = state === "collecting" ? t("empty.collecting") : state === "locked" ? t("empty.locked") : t("empty.other");
  section.querySelector("[data-role=proposals-heading]").textContent = t("proposalCount", { count });
}

// --- The roundtable's title on one line on a phone; the button shows all of it (and the event's name).
export function titleToggle() {
  const button = document.querySelector("[data-role=title-toggle]");
  const topbar = document.querySelector("[data-role=topbar]");
  const more = document.getElementById("title-more");
  if (!button) return;
  button.addEventListener("click", () => {
    const expanded = button.getAttribute("aria-expanded") !== "true";
    button.setAttribute("aria-expanded", expanded ? "true" : "false");
    topbar.dataset.expanded = expanded ? "true" : "false";
    more.hidden = !expanded;
  });
}

// --- "Your proposals": each of the person's proposals in a question with where it stands (awaiting approval,
// visible, hidden with the moderator's reason, merged), following every moderation live.
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

// --- Themes you can open on the phone: under each theme, the proposals it holds, folded in a <details> that
// stays open across the live re-renders (votes redraw the themes' support).
const opened = new Set(); // "question:theme" keys the person opened

export function addThemeProposals(list, { questionId, themes, proposals }) {
  const { unsorted } = themesSplit(themes);
  for (const item of list.querySelectorAll(":scope > li.theme")) {
    const isUnsorted = item.dataset.theme === "unsorted";
    const theme = isUnsorted ? null : themes.find((entry) => String(entry.number) === item.dataset.theme);
    if (!theme && !isUnsorted) continue;
    const members = (isUnsorted ? unsorted : theme.proposals).map((id) => proposals.get(id)).filter(Boolean);
    if (!members.length) continue;
    const key = `${questionId}:${isUnsorted ? "unsorted" : theme.number}`;
    const details = element(
      "details",
      { class: "theme-proposals", open: opened.has(key) },
      element("summary", {}, t(isUnsorted ? "unsortedProposals" : "themeProposals", { count: members.length })),
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
