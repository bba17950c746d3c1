// The questions as tabs that show their phase and countdown, and the open question's pane: its phase
// controls, countdown, switches and proposals. One question is in view at a time; the choice is kept
// for the browser tab (sessionStorage).
import { showCountdown } from "../clock.js";
import { byPinThenId } from "../dom.js";
import { t } from "../i18n.js";
import { currentIndex, currentStep, stepTitle, withShowClock } from "../show.js";
import { syncCards } from "./cards.js";
import { ctx, questionOrder, run } from "./shared.js";

export const sections = new Map();
const tabs = new Map();
let selected = null;
const listeners = [];

export function selectedQuestion() {
  return selected;
}

export function onSelect(listener) {
  listeners.push(listener);
}

export function setupQuestions() {
  for (const section of document.querySelectorAll("section.console-question")) {
    const id = Number(section.dataset.questionId);
    sections.set(id, section);
    const text = ctx.config.questionTexts[section.dataset.questionId];
    const span = section.querySelector("[data-role=text]");
    span.textContent = text.text;
    span.lang = text.language;
    // The pane's head shows two lines of it; the whole text on hover.
    span.closest("h2").title = text.text;
  }
  for (const tab of document.querySelectorAll("[role=tab][data-question-id]")) {
    tabs.set(Number(tab.dataset.questionId), tab);
    tab.addEventListener("click", () => select(Number(tab.dataset.questionId), { remember: true }));
  }
  // Arrow keys, Home and End move between the tabs (the ARIA tabs pattern); Tab leaves the list.
  document.getElementById("question-tabs").addEventListener("keydown", (keyEvent) => {
    const order = [...tabs.keys()];
    const at = order.indexOf(selected);
    const to = { ArrowRight: at + 1, ArrowLeft: at - 1, Home: 0, End: order.length - 1 }[keyEvent.key];
    if (to === undefined) return;
    keyEvent.preventDefault();
    const next = order[(to + order.length) % order.length];
    select(next, { remember: true });
    tabs.get(next).focus();
  });
}

const storageKey = () => `console-question-${ctx.config.code}`;

// The question to open first: the one chosen before in this browser tab, else the one on the
// projector, else the first that is not closed, else the first.
export function selectInitial() {
  const remembered = Number(sessionStorage.getItem(storageKey()));
  if (sections.has(remembered)) return select(remembered);
  const questions = [...ctx.state.questions.values()].sort((a, b) => a.order - b.order);
  const current = ctx.state.roundtable.current_question;
  const open = questions.find((question) => question.state !== "closed");
  select(sections.has(current) ? current : (open ?? questions[0])?.id);
}

export function select(questionId, { remember = false } = {}) {
  if (!sections.has(questionId)) return;
  selected = questionId;
  if (remember) sessionStorage.setItem(storageKey(), String(questionId));
  for (const [id, tab] of tabs) {
    tab.setAttribute("aria-selected", id === questionId ? "true" : "false");
    tab.tabIndex = id === questionId ? 0 : -1;
    sections.get(id).hidden = id !== questionId;
  }
  for (const listener of listeners) listener(questionId);
}

export function renderQuestion(question) {
  const section = sections.get(question.id);
  if (!section) return;
  const label = section.querySelector("[data-role=state]");
  label.dataset.state = question.state;
  label.textContent = t(`state.${question.state}`);
  const tabState = tabs.get(question.id)?.querySelector("[data-role=tab-state]");
  if (tabState) {
    tabState.dataset.state = question.state;
    tabState.textContent = t(`state.${question.state}`);
  }
  for (const button of section.querySelectorAll("[data-phase]")) {
    button.setAttribute("aria-pressed", button.dataset.phase === question.state ? "true" : "false");
  }
  for (const box of section.querySelectorAll("[data-switch]")) box.checked = Boolean(question[box.dataset.switch]);
  // The switches fold away; their summary says which are on.
  const on = ["premoderation", "tallies_hidden", "anonymous"].filter((name) => question[name]).map((name) => t(`switchOn.${name}`));
  section.querySelector("[data-role=switches-on]").textContent = on.length ? t("switchesOn", { list: on.join(" · ") }) : t("switches");
  // While the run of show runs or is paused it owns the clock: the server refuses a manual countdown,
  // and the step's countdown is changed through the show (pause, extend, skip), so neither the
  // countdown fields nor "Stop the countdown" are offered for it; the box above the phase buttons says
  // so, names the step that holds this question now, and leads to the show's controls. The phase
  // buttons stay: a move by hand is allowed and lasts until the next step.
  const show = ctx.state.runOfShow;
  const showKeepsTime = ["running", "paused"].includes(show?.state);
  const showsClock = showKeepsTime && question.phase_ends_at && question.phase_ends_at === show.step_ends_at;
  section.querySelector("[data-role=stop-timer]").hidden = !question.phase_ends_at || showsClock;
  for (const field of section.querySelectorAll("[data-role=manual-timer]")) field.hidden = showKeepsTime;
  const owns = section.querySelector("[data-role=show-keeps-time]");
  owns.hidden = !showKeepsTime;
  const step = showKeepsTime ? currentStep(show) : null;
  owns.querySelector("[data-role=show-owns-step]").textContent =
    step?.kind === "phase" && step.question === question.id
      ? t("show.ownsStep", {
          step: stepTitle(step, ctx.config.language),
          number: currentIndex(show) + 1,
          total: show.steps.length,
        })
      : "";
  for (const button of section.querySelectorAll(".phase-buttons button")) {
    if (showKeepsTime) button.setAttribute("aria-describedby", owns.id);
    else button.removeAttribute("aria-describedby");
  }
  const onScreen = ctx.state.roundtable.current_question === question.id;
  section.querySelector("[data-role=on-screen]").hidden = !onScreen;
  tabs.get(question.id)?.querySelector("[data-role=tab-screen]")?.toggleAttribute("hidden", !onScreen);
  tickQuestion(question);
  renderProposals(question);
}

export function renderProposals(question, force = null) {
  const section = sections.get(question.id);
  const proposals = [...ctx.state.proposals.values()].filter((p) => p.question === question.id).sort(byPinThenId);
  syncCards(section.querySelector("[data-role=proposals]"), proposals, { force });
  section.querySelector("[data-role=proposals-heading]").textContent = t("proposalCount", {
    count: proposals.filter((p) => p.status === "visible").length,
  });
}

// The countdown, in the question's pane and on its tab (the run of show's, when its step is this
// question's phase and the question has none of its own).
export function tickQuestion(question) {
  const section = sections.get(question.id);
  if (!section) return;
  const timed = withShowClock(question, ctx.state?.runOfShow);
  showCountdown(section.querySelector("[data-role=countdown]"), timed);
  const onTab = tabs.get(question.id)?.querySelector("[data-role=tab-countdown]");
  if (onTab) showCountdown(onTab, timed);
}

export async function questionClick(button) {
  const section = button.closest("section.console-question");
  if (!section) return false;
  const questionId = Number(section.dataset.questionId);
  if (button.dataset.phase) {
    const minutesField = section.querySelector("[data-role=minutes]");
    const minutes = Number.parseFloat(minutesField.value);
    const then = section.querySelector("[data-role=then]").value || null;
    const fields = { question: questionId, state: button.dataset.phase };
    if (minutes > 0) {
      fields.duration_seconds = Math.round(minutes * 60);
      if (then) fields.then = then;
    }
    const done = t("phaseSet", { number: questionOrder(questionId), state: t(`state.${button.dataset.phase}`) });
    // A countdown's error belongs to its field; any other to the phase buttons.
    const anchor = fields.duration_seconds ? minutesField : button.closest("[data-error-host]");
    if (await run("question.phase", fields, { anchor, done })) minutesField.value = "";
    return true;
  }
  if (button.dataset.role === "stop-timer") {
    const question = ctx.state.questions.get(questionId);
    await run("question.phase", { question: questionId, state: question.state }, { anchor: button.closest("[data-error-host]") });
    return true;
  }
  if (button.dataset.role === "to-show") {
    // The show's controls: the first one on screen (Pause or Resume) takes the focus.
    const buttons = [...document.querySelectorAll("#show .show-controls button")];
    const target = buttons.find((item) => item.getClientRects().length > 0);
    target?.scrollIntoView({ block: "nearest" });
    target?.focus();
    return true;
  }
  if (button.dataset.role === "show") {
    await run("roundtable.show_question", { question: questionId }, { anchor: button.closest("[data-error-host]") });
    return true;
  }
  return false;
}

export async function switchChange(box) {
  const section = box.closest("section.console-question");
  const ok = await run(
    "question.settings",
    { question: Number(section.dataset.questionId), [box.dataset.switch]: box.checked },
    { anchor: box.closest("[data-error-host]") },
  );
  if (!ok) box.checked = !box.checked;
}
