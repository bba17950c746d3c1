// The projector screen: read-only and large. The question on screen (the one a moderator put there, or
// the one open), its phase and countdown, the run of show's next step (and a break or a pause:
// show-line.js), how many take part, proposals arriving, the most supported, the themes with what
// they hold, an open room check with its live tally, and who takes part. It is a watcher socket: it sees
// exactly what the public sees. Each list shows what fits (screen-fit.js).
import { showCountdown, syncClock } from "./clock.js";
import { renderOpinionMap } from "./analysis.js";
import { LiveConnection } from "./connection.js";
import { readConfig } from "./dom.js";
import { setStrings, t } from "./i18n.js";
import { openCheck, renderCheck } from "./screen-check.js";
import { fitBlock } from "./screen-fit.js";
import { renderBalance, renderProposalLists } from "./screen-lists.js";
import { renderScreenThemes } from "./screen-themes.js";
import { applyEvent, fromSnapshot } from "./state.js";
import { withShowClock } from "./show.js";
import { renderShowLine, tickShowLine } from "./show-line.js";
import { connectionStatus } from "./status.js";

const config = readConfig();
setStrings(config.strings);

let state = null;

const heading = document.getElementById("screen-question");
const countdown = document.querySelector(".screen-status [data-role=countdown]");
const stateLabel = document.querySelector(".screen-status [data-role=state]");
const showBox = document.querySelector(".screen-show");

function currentQuestion() {
  const chosen = state.questions.get(state.roundtable.current_question);
  if (chosen) return chosen;
  return [...state.questions.values()].find((q) => q.state === "collecting" || q.state === "voting") ?? null;
}

function renderQuestion(question) {
  const number = heading.querySelector("[data-role=number]");
  const text = heading.querySelector("[data-role=text]");
  if (!question) {
    number.textContent = "";
    text.textContent = t("noQuestion");
    text.removeAttribute("lang");
    stateLabel.hidden = true;
    countdown.hidden = true;
    return;
  }
  const words = config.questionTexts[String(question.id)];
  number.textContent = `${question.order}.`;
  text.textContent = words.text;
  text.lang = words.language;
  stateLabel.hidden = false;
  stateLabel.dataset.state = question.state;
  stateLabel.textContent = t(`state.${question.state}`);
  showCountdown(countdown, withShowClock(question, state.runOfShow));
}

function render() {
  const question = currentQuestion();
  renderQuestion(question);
  renderShowLine(showBox, state.runOfShow, {
    shown: (step) => step.question === question?.id && step.phase === question?.state,
    language: config.language,
    timeZone: config.timeZone,
  });
  // What is not fitted first (the count, a room check, the opinion groups): the columns fit around it.
  document.getElementById("participant-total").textContent = t("participants", { count: state.participants.total });
  renderCheck(document.getElementById("room-check"), openCheck(state.statements, question), config.language);
  const opinions = question ? state.opinions.get(question.id) : null;
  const figure = document.getElementById("opinions");
  renderOpinionMap(figure, {
    opinions: opinions ?? null,
    myKey: null,
    brief: true,
    proposals: state.proposals,
    actorTypes: config.actorTypes,
  });
  // Where the column is short, the map gives up its last lists (each with its heading) first, then its
  // drawing.
  const words = [...figure.querySelector("[data-role=map-text]").children];
  fitBlock(figure.parentElement, [...words.slice(1).reverse(), figure.querySelector("[data-role=map]")]);
  const proposals = question ? [...state.proposals.values()].filter((p) => p.question === question.id) : [];
  renderProposalLists(
    { latest: document.getElementById("latest"), top: document.getElementById("top") },
    proposals,
    { actorTypes: config.actorTypes },
  );
  const themes = question ? (state.themes.get(question.id) ?? []) : [];
  document.getElementById("themes-empty").hidden = themes.length > 0;
  renderScreenThemes(document.getElementById("themes"), { themes, proposals: state.proposals, language: config.language });
  renderBalance(document.getElementById("balance"), state.participants, { actorTypes: config.actorTypes });
}

const connection = new LiveConnection({
  path: config.socketPath,
  commandTimeoutSeconds: config.commandTimeoutSeconds,
  onSnapshot(frame) {
    syncClock(frame.now);
    state = fromSnapshot(frame);
    render();
  },
  onEvent(event) {
    if (state && applyEvent(state, event)) render();
  },
  onStatus: connectionStatus(document.getElementById("connection-status")),
});

// The columns' room changed (a window resized or moved to the projector, a longer question, type
// loaded late): fit again.
let gridSize = "";
new ResizeObserver(([entry]) => {
  const size = `${Math.round(entry.contentRect.width)}x${Math.round(entry.contentRect.height)}`;
  if (size === gridSize) return;
  gridSize = size;
  if (state) render();
}).observe(document.querySelector(".screen-grid"));

setInterval(() => {
  if (!state) return;
  showCountdown(countdown, withShowClock(currentQuestion(), state.runOfShow));
  tickShowLine(showBox, state.runOfShow);
}, 1000);

connection.start();
