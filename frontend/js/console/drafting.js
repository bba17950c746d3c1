// The conclusions view of the open question: its draft, coverage, commitments and room checks (one
// panel per question, shown for the question in view only), and what other moderators are editing.
// "Proposals" and "Conclusions and room checks" switch the question pane between steering and drafting.
import { DraftPanel } from "../drafting.js";
import { t } from "../i18n.js";
import { ctx, run } from "./shared.js";

export const drafts = new Map();
let editingReported = "null";
let view = "steer";

function reportEditing(editing) {
  const text = JSON.stringify(editing);
  if (text === editingReported) return;
  editingReported = text;
  ctx.connection.send({ type: "presence", question: editing?.question ?? null, editing });
}

export function setupDrafting(sections) {
  for (const [questionId, section] of sections) {
    drafts.set(
      questionId,
      new DraftPanel(section, questionId, {
        run: (type, fields, options) => run(type, fields, options),
        connection: { command: (type, fields) => ctx.connection.command(type, fields) },
        getState: () => ctx.state,
        actorTypes: ctx.config.actorTypes,
        config: ctx.config,
        onEditing: reportEditing,
      }),
    );
  }
  for (const button of document.querySelectorAll("[data-view]")) {
    button.addEventListener("click", () => showView(button.dataset.view, { focus: false }));
  }
  showView(sessionStorage.getItem(`console-view-${ctx.config.code}`) === "drafting" ? "drafting" : "steer");
}

export function showView(name, { focus = false } = {}) {
  view = name;
  sessionStorage.setItem(`console-view-${ctx.config.code}`, name);
  for (const button of document.querySelectorAll("[data-view]")) button.setAttribute("aria-pressed", button.dataset.view === name ? "true" : "false");
  for (const part of document.querySelectorAll("[data-role=steer]")) part.hidden = name !== "steer";
  for (const part of document.querySelectorAll("[data-role=drafting-view]")) part.hidden = name !== "drafting";
  if (focus) document.querySelector(`section.console-question:not([hidden]) [data-view=${name}]`)?.focus();
}

export function currentView() {
  return view;
}

export function renderEditing(sections) {
  for (const [questionId, section] of sections) {
    const others = (ctx.presence?.editing ?? []).filter((item) => item.question === questionId && item.name !== ctx.config.me);
    section.querySelector("[data-role=editing]").textContent = others
      .map((item) => (item.section ? t("editingSection", { name: item.name, section: item.section }) : t("editingDraft", { name: item.name })))
      .join(" · ");
  }
}
