// The moderator console, a control room: the decisions queue (console/queue.js), the open question with
// its phase, countdown, switches and proposals (console/question.js, cards.js, actions.js), the room
// (console/room.js, themes.js), drafting (console/drafting.js), keyboard shortcuts (console/shortcuts.js)
// and the run of show above the panes (console/show.js). Everything it shows comes from the same
// snapshot and events as every screen (the staff view of them); every button sends one command and
// shows the server's answer next to it.
import { syncClock } from "./clock.js";
import { LiveConnection } from "./connection.js";
import { readConfig } from "./dom.js";
import { setStrings } from "./i18n.js";
import { applyEvent, fromSnapshot } from "./state.js";
import { connectionStatus } from "./status.js";
import { Translations } from "./translate.js";
import { cardClick } from "./console/actions.js";
import { closeMenusOutside } from "./console/cards.js";
import { drafts, renderEditing, setupDrafting } from "./console/drafting.js";
import { showError } from "./console/errors.js";
import {
  onSelect,
  questionClick,
  renderProposals,
  renderQuestion,
  sections,
  select,
  selectInitial,
  setupQuestions,
  switchChange,
  tickQuestion,
} from "./console/question.js";
import { renderQueue } from "./console/queue.js";
import { renderAnalysis, renderPresence, renderRoomBalance, renderStaleThemes, selectRoom } from "./console/room.js";
import { setupShortcuts } from "./console/shortcuts.js";
import { showLoaded, showUpdated, tickShow } from "./console/show.js";
import { ctx } from "./console/shared.js";
import { errorText } from "./i18n.js";

ctx.config = readConfig();
setStrings(ctx.config.strings);
ctx.afterCommand = renderStaleThemes;
setupQuestions();
onSelect(selectRoom);
// Until the first snapshot says which question is live, the first one is open.
select(sections.keys().next().value);

ctx.translations = new Translations({
  enabled: ctx.config.translation,
  language: ctx.config.language,
  command: (type, fields) => ctx.connection.command(type, fields),
  rerender(id) {
    const proposal = ctx.state?.proposals.get(id);
    if (!proposal) return;
    renderProposals(ctx.state.questions.get(proposal.question), id);
    renderQueue();
  },
  onError: (error) => showError(document.activeElement, errorText(error)),
});

function renderAll() {
  for (const panel of drafts.values()) panel.render();
  for (const questionId of ctx.state.questions.keys()) renderAnalysis(questionId);
  renderRoomBalance();
  for (const question of ctx.state.questions.values()) renderQuestion(question);
  renderQueue();
  renderPresence();
}

let started = false;
ctx.connection = new LiveConnection({
  path: ctx.config.socketPath,
  commandTimeoutSeconds: ctx.config.commandTimeoutSeconds,
  onSnapshot(frame) {
    syncClock(frame.now);
    ctx.state = fromSnapshot(frame);
    if (!started) {
      started = true;
      selectInitial();
    }
    renderAll();
    showLoaded();
  },
  onEvent(event) {
    const state = ctx.state;
    if (!state) return;
    const kind = applyEvent(state, event);
    if (!kind) return;
    if (kind === "participant.joined") {
      renderPresence();
      return;
    }
    // The run of show comes whole; the phases it moves come as their own question events.
    if (kind === "run_of_show.updated") {
      showUpdated();
      for (const question of state.questions.values()) renderQuestion(question);
      return;
    }
    if (kind === "roundtable.updated") {
      for (const question of state.questions.values()) renderQuestion(question);
      return;
    }
    if (kind === "balance.updated") {
      renderRoomBalance();
      return;
    }
    const questionId = event.data.question?.id ?? event.data.question;
    const question = state.questions.get(questionId);
    if (question) renderQuestion(question);
    if (kind === "opinions.updated") renderRoomBalance();
    if (question && kind !== "question.updated") renderAnalysis(questionId);
    const draftQuestion = kind === "statement.updated" ? event.data.statement.question : questionId;
    if (drafts.has(draftQuestion)) drafts.get(draftQuestion).render();
    else if (kind === "vote.cast") drafts.get(state.proposals.get(event.data.proposal)?.question)?.render();
    if (kind === "question.updated") {
      for (const other of state.questions.values()) if (other.id !== questionId) renderQuestion(other);
    }
    renderQueue();
  },
  onFrame(frame) {
    if (frame.type === "presence") {
      ctx.presence = frame;
      renderPresence();
      renderEditing(sections);
    }
  },
  onStatus: connectionStatus(document.getElementById("connection-status")),
});

setupDrafting(sections);
setupShortcuts();

document.getElementById("main").addEventListener("click", async (clickEvent) => {
  const button = clickEvent.target.closest("button");
  if (!button || button.closest("[data-role=drafting]")) return;
  if (cardClick(button)) return;
  await questionClick(button);
});

document.addEventListener("click", (clickEvent) => closeMenusOutside(clickEvent.target));

document.getElementById("main").addEventListener("change", (changeEvent) => {
  const box = changeEvent.target.closest("[data-switch]");
  if (box) switchChange(box);
});

// Escape closes an open "More" menu and puts focus back on its button.
document.getElementById("main").addEventListener("keydown", (keyEvent) => {
  if (keyEvent.key !== "Escape") return;
  const menu = keyEvent.target.closest?.(".more-menu");
  const toggle = menu?.previousElementSibling;
  if (toggle?.dataset.menu) {
    toggle.click();
    toggle.focus();
  }
});

setInterval(() => {
  for (const question of ctx.state?.questions.values() ?? []) tickQuestion(question);
  tickShow();
}, 1000);

ctx.connection.start();
