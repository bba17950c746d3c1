// The participant screen: the open question first, the next proposal to vote on, the person's own
// proposals with where they stand, the whole list, themes and opinion groups, all live; follows the
// moderators' phase changes, countdowns and switches. Drawing is split by concern in participant/:
// layout.js (the frame), cards.js (proposals and the next card), answers.js (actions and their answers).
import { showCountdown, syncClock, tickCountdowns } from "./clock.js";
import { renderOpinionMap, renderThemes } from "./analysis.js";
import { LiveConnection } from "./connection.js";
import { byPinThenId, readConfig } from "./dom.js";
import { setStrings, t, errorText } from "./i18n.js";
import { renderChecks, renderPublished } from "./checks.js";
import { attachComposer } from "./composer.js";
import { applyEvent, fromSnapshot } from "./state.js";
import { currentStep, nextLine, showKey, stepTitle, withShowClock } from "./show.js";
import { renderShowLine, tickShowLine } from "./show-line.js";
import { connectionStatus } from "./status.js";
import { Translations } from "./translate.js";
import { bindVotesAndReports, bindWriteLinks, clearError, restoreErrors, showError } from "./participant/answers.js";
import { NextVote, renderProposal } from "./participant/cards.js";
import {
  addThemeProposals,
  applyFolding,
  foldControls,
  forgetChoice,
  isOpen,
  renderChips,
  renderMine,
  renderQuestionState,
  showProposalCount,
  titleToggle,
} from "./participant/layout.js";

const config = readConfig();
setStrings(config.strings);

const ANNOUNCE_BATCH_MS = 1500;

let state = null;
const sections = new Map(); // question id -> section element
for (const section of document.querySelectorAll("section.question")) {
  sections.set(Number(section.dataset.questionId), section);
}

const announcer = document.getElementById("announcer");
const notices = document.getElementById("notices");
const participantCount = document.getElementById("participant-count");

// Live region: batched, so many arrivals make one announcement rather than one each.
let unannounced = 0;
let announceTimer = null;
function announceNewProposal() {
  unannounced += 1;
  if (announceTimer) return;
  announceTimer = setTimeout(() => {
    announcer.textContent = t("newProposals", { count: unannounced });
    unannounced = 0;
    announceTimer = null;
  }, ANNOUNCE_BATCH_MS);
}

// The live region is in the page from the start (empty, so not shown) for screen readers to hear it.
function showNotice(text) {
  notices.textContent = text;
}

const drawing = () => ({ actorTypes: config.actorTypes, translations });

function drawProposal(proposal) {
  return renderProposal(proposal, { ...drawing(), question: state.questions.get(proposal.question) });
}

function renderQuestion(question) {
  const section = sections.get(question.id);
  if (!section) return;
  renderQuestionState(section, question);
  showCountdown(section.querySelector("[data-role=countdown]"), withShowClock(question, state.runOfShow));
  const list = section.querySelector("[data-role=proposals]");
  const proposals = [...state.proposals.values()].filter((p) => p.question === question.id).sort(byPinThenId);
  list.replaceChildren(...proposals.map(drawProposal));
  showProposalCount(section, question);
  renderMine(section, question.id, state.proposals);
  nextVotes.get(question.id)?.render();
  restoreErrors();
}

// One proposal changed (a vote, a translation): its card in the list, the next card, the person's own.
function replaceProposal(proposal) {
  const existing = document.getElementById(`proposal-${proposal.id}`);
  if (!existing) {
    renderQuestion(state.questions.get(proposal.question));
    return;
  }
  // Keep keyboard focus on the same button across the re-render.
  const focused = existing.contains(document.activeElement) ? document.activeElement : null;
  const fresh = drawProposal(proposal);
  existing.replaceWith(fresh);
  if (focused?.dataset.choice) fresh.querySelector(`[data-choice=${focused.dataset.choice}]`)?.focus();
  else if (focused?.dataset.flag) fresh.querySelector("[data-flag]")?.focus();
  nextVotes.get(proposal.question)?.render();
  restoreErrors();
}

function renderAnalysis(questionId) {
  const section = sections.get(questionId);
  if (!section || !state) return;
  const themes = state.themes.get(questionId) ?? [];
  const list = section.querySelector("[data-role=themes]");
  renderThemes(list, { themes, proposals: state.proposals, language: config.language, idPrefix: `q${questionId}-` });
  addThemeProposals(list, { questionId, themes, proposals: state.proposals });
  section.querySelector("[data-role=themes-empty]").hidden = themes.length > 0;
  renderOpinionMap(section.querySelector("[data-role=opinions]"), {
    opinions: state.opinions.get(questionId) ?? null,
    myKey: state.me?.opinion_keys?.[questionId] ?? null,
    proposals: state.proposals,
    actorTypes: config.actorTypes,
  });
}

function renderRoomChecks() {
  renderChecks(document.getElementById("room-checks"), {
    statements: state.statements,
    questions: state.questions,
    translations: checkTranslations,
    onRespond: async (statement, choice) => {
      const key = `check-${statement}`;
      try {
        await connection.command("statement.respond", { statement, choice });
        clearError(key);
        announcer.textContent = t("checkAnswered");
      } catch (error) {
        showError(key, () => document.getElementById(`check-${statement}`), errorText(error));
      }
    },
  });
  renderPublished(document.getElementById("published"), state.publications);
  restoreErrors();
}

function renderFrame() {
  renderChips(state);
  applyFolding(state, sections);
  renderShow();
}

// The run of show: the step now (when the open question's own phase does not say it) and the next one.
const showStrip = document.querySelector("[data-role=show]");
function renderShow() {
  renderShowLine(showStrip, state.runOfShow, {
    shown: (step) => {
      const question = state.questions.get(step.question);
      return isOpen(question) && question.state === step.phase;
    },
    language: config.language,
    timeZone: config.timeZone,
  });
}

// A break, the closing or a pause is announced; a phase is already ("Question 1: Voting").
function announceShow(before) {
  const show = state.runOfShow;
  if (!show || showKey(show) === before) return;
  const step = currentStep(show);
  if (show.state === "paused") announcer.textContent = t("show.paused");
  else if (show.state === "finished") announcer.textContent = t("show.finished");
  else if (step && step.kind !== "phase") {
    announcer.textContent = `${t("show.now", { step: stepTitle(step, config.language) })}. ${nextLine(show, config.language)}`;
  }
}

function renderAll() {
  renderFrame();
  renderRoomChecks();
  for (const questionId of state.questions.keys()) renderAnalysis(questionId);
  for (const question of state.questions.values()) renderQuestion(question);
  renderParticipants();
}

function renderParticipants() {
  participantCount.textContent = t("participants", { count: state.participants.total });
}

function onSnapshot(frame) {
  syncClock(frame.now);
  state = fromSnapshot(frame);
  renderAll();
  for (const [id, next] of nextVotes) if (state.questions.has(id)) next.refresh();
}

function onEvent(event) {
  if (!state) return;
  const previousState = event.kind === "question.updated" ? state.questions.get(event.data.question.id)?.state : null;
  const existed = event.data.id !== undefined && state.proposals.has(event.data.id);
  const showBefore = showKey(state.runOfShow);
  const kind = applyEvent(state, event);
  const data = event.data;
  if (kind === "proposal.submitted" || kind === "proposal.updated") {
    const proposal = state.proposals.get(data.id);
    if (!proposal) {
      document.getElementById(`proposal-${data.id}`)?.remove();
      const question = state.questions.get(data.question);
      const section = sections.get(data.question);
      if (section) {
        showProposalCount(section, question);
        renderMine(section, data.question, state.proposals);
      }
      nextVotes.get(data.question)?.render();
    } else if (!existed && proposal.pinned === false && !document.getElementById(`proposal-${proposal.id}`)) {
      const section = sections.get(proposal.question);
      section?.querySelector("[data-role=proposals]").append(drawProposal(proposal));
      if (section) {
        showProposalCount(section, state.questions.get(proposal.question));
        renderMine(section, proposal.question, state.proposals);
      }
      if (!proposal.mine && proposal.status === "visible") {
        announceNewProposal();
        nextVotes.get(proposal.question)?.refresh({ soon: true });
      }
      nextVotes.get(proposal.question)?.render();
    } else {
      renderQuestion(state.questions.get(proposal.question));
    }
    if (data.notice) showNotice(t(`notice.${data.notice}`));
  } else if (kind === "proposal.merged") {
    renderQuestion(state.questions.get(data.question));
    if (data.notice) showNotice(t("notice.merge"));
  } else if (kind === "vote.cast") {
    const proposal = state.proposals.get(data.proposal);
    if (proposal) replaceProposal(proposal);
  } else if (kind === "question.updated") {
    const question = state.questions.get(data.question.id);
    if (previousState !== question.state) forgetChoice(question.id);
    renderFrame();
    renderQuestion(question);
    if ("opinions" in data) renderAnalysis(question.id);
    if (previousState !== question.state) {
      announcer.textContent = t("phaseChanged", { number: question.order, state: t(`state.${question.state}`) });
      nextVotes.get(question.id)?.refresh();
    }
  } else if (kind === "roundtable.updated") {
    renderFrame();
  } else if (kind === "run_of_show.updated") {
    renderShow();
    announceShow(showBefore);
  } else if (kind === "participant.joined") {
    renderParticipants();
  } else if (kind === "themes.updated" || kind === "opinions.updated") {
    renderAnalysis(data.question);
  } else if (kind === "statement.updated" || kind === "publication.created" || kind === "participant.erased") {
    const before = document.getElementById("room-checks").hidden;
    renderRoomChecks();
    if (kind === "statement.updated" && data.action === "put") announcer.textContent = t("checkNew");
    if (kind === "publication.created") announcer.textContent = t("documentPublished", { version: data.publication.version });
    if (before && kind === "statement.updated") document.getElementById("room-checks").scrollIntoView({ block: "nearest" });
  }
  // Theme support follows the votes.
  if (kind === "vote.cast" || kind === "proposal.updated" || kind === "proposal.merged") {
    const proposal = state.proposals.get(data.proposal ?? data.id);
    renderAnalysis(proposal?.question ?? data.question);
  }
}

// Which question the person has on screen, for the moderators' live presence.
let focusedQuestion = null;
function reportPresence() {
  connection.send({ type: "presence", question: focusedQuestion });
}
const visibleShare = new Map();
const observer = new IntersectionObserver(
  (entries) => {
    for (const entry of entries) visibleShare.set(Number(entry.target.dataset.questionId), entry.intersectionRatio);
    const [best] = [...visibleShare.entries()].sort((a, b) => b[1] - a[1]);
    const next = best && best[1] > 0 ? best[0] : null;
    if (next !== focusedQuestion) {
      focusedQuestion = next;
      reportPresence();
    }
  },
  { threshold: [0, 0.25, 0.5, 0.75, 1] },
);
for (const section of sections.values()) observer.observe(section);

const translating = {
  enabled: config.translation,
  language: config.language,
  command: (type, fields) => connection.command(type, fields),
  onError: (error) => {
    document.getElementById("alerts").textContent = errorText(error);
  },
  announce: (text) => {
    announcer.textContent = text;
  },
};
const translations = new Translations({
  ...translating,
  rerender: (id) => state?.proposals.has(id) && replaceProposal(state.proposals.get(id)),
});
// Room checks are written by a moderator in one language: each person may read them in theirs.
const checkTranslations = new Translations({
  ...translating,
  commandType: "statement.translate",
  idField: "statement",
  rerender: () => state && renderRoomChecks(),
});

const connection = new LiveConnection({
  path: config.socketPath,
  commandTimeoutSeconds: config.commandTimeoutSeconds,
  onSnapshot,
  onEvent,
  onStatus: connectionStatus(document.getElementById("connection-status")),
  onOpen: reportPresence,
});

const nextVotes = new Map(); // question id -> NextVote
for (const [questionId, section] of sections) {
  nextVotes.set(
    questionId,
    new NextVote(section, questionId, {
      getState: () => state,
      requestOrder: (question) => connection.command("vote.order", { question }),
      ...drawing(),
    }),
  );
}

tickCountdowns(() => [...(state?.questions.values() ?? [])].map((q) => withShowClock(q, state.runOfShow)), sections);
setInterval(() => state && tickShowLine(showStrip, state.runOfShow), 1000);
titleToggle();
foldControls(sections);
bindWriteLinks(sections);
for (const section of sections.values()) {
  attachComposer({
    form: section.querySelector("[data-role=form]"),
    connection,
    roundtable: config.code,
    question: Number(section.dataset.questionId),
    maxChars: config.proposalMaxChars,
  });
}

bindVotesAndReports(sections, {
  connection,
  announcer,
  getState: () => state,
  redraw: replaceProposal,
  onCardVote: (questionId) => nextVotes.get(questionId)?.voted(),
});

connection.start();
