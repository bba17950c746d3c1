// The participant screen: submit proposals on the open question, vote on everyone's, report abuse, all
// live; follows the moderators' phase changes, countdowns and switches.
import { showCountdown, syncClock, tickCountdowns } from "./clock.js";
import { renderOpinionMap, renderThemes } from "./analysis.js";
import { LiveConnection } from "./connection.js";
import { byPinThenId, element, readConfig, tallyTotal } from "./dom.js";
import { setStrings, t, errorText } from "./i18n.js";
import { renderChecks, renderPublished } from "./checks.js";
import { attachComposer } from "./composer.js";
import { applyEvent, fromSnapshot } from "./state.js";
import { connectionStatus } from "./status.js";
import { Translations } from "./translate.js";

const config = readConfig();
setStrings(config.strings);

const CHOICES = ["agree", "disagree", "pass"];
const ANNOUNCE_BATCH_MS = 1500;

let state = null;
const sections = new Map(); // question id -> section element
for (const section of document.querySelectorAll("section.question")) {
  sections.set(Number(section.dataset.questionId), section);
}

const announcer = document.getElementById("announcer");
const alerts = document.getElementById("alerts");
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

function writtenIn(language) {
  const sentence = t(`writtenIn.${language}`);
  return sentence === `writtenIn.${language}` ? t("writtenIn", { language: t(`lang.${language}`) }) : sentence;
}

function tallyText(tally) {
  return tally ? t("tally", { agree: tally.agree, disagree: tally.disagree, pass: tally.pass }) : t("talliesHidden");
}

function statusNote(proposal) {
  if (proposal.status === "visible") return null;
  const lines = [element("strong", {}, proposal.status === "merged" ? t("status.merged", { id: proposal.merged_into }) : t(`status.${proposal.status}`))];
  if (proposal.status === "hidden" && proposal.hidden_reason) lines.push(" · ", t("hiddenReason", { reason: proposal.hidden_reason }));
  return element("p", { class: "proposal-status", dataset: { status: proposal.status } }, ...lines);
}

function renderProposal(proposal) {
  const question = state.questions.get(proposal.question);
  const visible = proposal.status === "visible";
  const canVote = visible && question && (question.state === "collecting" || question.state === "voting");
  const actorType = config.actorTypes[proposal.author.actor_type] ?? proposal.author.actor_type;
  const author = `${proposal.author.name ?? t("anonymous")} · ${actorType}`;
  const bar = element("div", { class: "tally-bar", "aria-hidden": "true" });
  if (proposal.tally) {
    const total = tallyTotal(proposal.tally);
    for (const choice of CHOICES) {
      const segment = element("span", { class: `tally-${choice}` });
      segment.style.width = `${total ? (100 * proposal.tally[choice]) / total : 0}%`;
      bar.append(segment);
    }
  }
  const buttons = element("div", { class: "vote-buttons", role: "group", "aria-label": t("voteOn") });
  if (visible) {
    for (const choice of CHOICES) {
      buttons.append(
        element(
          "button",
          {
            type: "button",
            class: `vote vote-${choice}`,
            "aria-pressed": proposal.my_vote === choice ? "true" : "false",
            disabled: !canVote,
            dataset: { choice, proposal: String(proposal.id) },
          },
          `${t(choice)} `,
          proposal.tally ? element("span", { class: "count" }, String(proposal.tally[choice])) : null,
        ),
      );
    }
  }
  // Reporting is not a vote: its own control, outside the vote group.
  const flag =
    visible && !proposal.mine
      ? element(
          "button",
          { type: "button", class: "flag", "aria-pressed": proposal.my_flag ? "true" : "false", disabled: proposal.my_flag, dataset: { flag: String(proposal.id) } },
          proposal.my_flag ? t("flagged") : t("flag"),
        )
      : null;
  const classes = ["proposal", proposal.mine ? "mine" : "", proposal.pinned ? "pinned" : "", visible ? "" : "not-public"];
  return element(
    "li",
    { class: classes.filter(Boolean).join(" "), id: `proposal-${proposal.id}`, dataset: { proposalId: String(proposal.id) } },
    proposal.pinned ? element("p", { class: "pin-label" }, t("pinned")) : null,
    ...translations.render(proposal),
    element(
      "p",
      { class: "proposal-meta" },
      author,
      " · ",
      // The code for the eye, the language's name for screen readers (an abbr's title is not read reliably).
      element("abbr", { title: writtenIn(proposal.language), "aria-hidden": "true" }, proposal.language.toUpperCase()),
      element("span", { class: "visually-hidden" }, writtenIn(proposal.language)),
      proposal.mine ? element("span", { class: "badge" }, t("mine")) : null,
      proposal.edited ? element("span", { class: "edited" }, ` · ${t("edited")}`) : null,
    ),
    statusNote(proposal),
    visible ? bar : null,
    visible ? element("p", { class: proposal.tally ? "visually-hidden tally-text" : "hint tally-text" }, tallyText(proposal.tally)) : null,
    visible ? element("div", { class: "proposal-actions" }, buttons, flag) : null,
  );
}

function renderQuestion(question) {
  const section = sections.get(question.id);
  if (!section) return;
  const stateLabel = section.querySelector("[data-role=state]");
  stateLabel.dataset.state = question.state;
  stateLabel.textContent = t(`state.${question.state}`);
  showCountdown(section.querySelector("[data-role=countdown]"), question);
  const collecting = question.state === "collecting";
  section.querySelector("[data-role=form]").hidden = !collecting;
  section.querySelector("[data-role=closed-note]").hidden = collecting;
  const list = section.querySelector("[data-role=proposals]");
  const proposals = [...state.proposals.values()].filter((p) => p.question === question.id).sort(byPinThenId);
  list.replaceChildren(...proposals.map(renderProposal));
  showProposalCount(section);
}

function showProposalCount(section) {
  const count = section.querySelectorAll("[data-role=proposals] > li:not(.not-public)").length;
  section.querySelector("[data-role=empty]").hidden = section.querySelector("[data-role=proposals]").children.length > 0;
  section.querySelector("[data-role=proposals-heading]").textContent = t("proposalCount", { count });
}

function replaceProposal(proposal) {
  const existing = document.getElementById(`proposal-${proposal.id}`);
  if (!existing) {
    renderQuestion(state.questions.get(proposal.question));
    return;
  }
  // Keep keyboard focus on the same button across the re-render.
  const focused = existing.contains(document.activeElement) ? document.activeElement : null;
  const fresh = renderProposal(proposal);
  existing.replaceWith(fresh);
  if (focused?.dataset.choice) fresh.querySelector(`[data-choice=${focused.dataset.choice}]`)?.focus();
  else if (focused?.dataset.flag) fresh.querySelector("[data-flag]")?.focus();
}

function renderAnalysis(questionId) {
  const section = sections.get(questionId);
  if (!section || !state) return;
  const themes = state.themes.get(questionId) ?? [];
  renderThemes(section.querySelector("[data-role=themes]"), {
    themes,
    proposals: state.proposals,
    language: config.language,
    idPrefix: `q${questionId}-`,
  });
  section.querySelector("[data-role=themes-empty]").hidden = themes.length > 0;
  const opinions = state.opinions.get(questionId);
  renderOpinionMap(section.querySelector("[data-role=opinions]"), {
    opinions: opinions ?? null,
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
      try {
        await connection.command("statement.respond", { statement, choice });
        announcer.textContent = t("checkAnswered");
      } catch (error) {
        alerts.textContent = errorText(error);
      }
    },
  });
  renderPublished(document.getElementById("published"), state.publications);
}

function renderAll() {
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
}

function onEvent(event) {
  if (!state) return;
  const previousState = event.kind === "question.updated" ? state.questions.get(event.data.question.id)?.state : null;
  const existed = event.data.id !== undefined && state.proposals.has(event.data.id);
  const kind = applyEvent(state, event);
  const data = event.data;
  if (kind === "proposal.submitted" || kind === "proposal.updated") {
    const proposal = state.proposals.get(data.id);
    if (!proposal) {
      document.getElementById(`proposal-${data.id}`)?.remove();
      const section = sections.get(data.question);
      if (section) showProposalCount(section);
    } else if (!existed && proposal.pinned === false && !document.getElementById(`proposal-${proposal.id}`)) {
      const section = sections.get(proposal.question);
      section?.querySelector("[data-role=proposals]").append(renderProposal(proposal));
      if (section) showProposalCount(section);
      if (!proposal.mine && proposal.status === "visible") announceNewProposal();
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
    renderQuestion(question);
    if ("opinions" in data) renderAnalysis(question.id);
    if (previousState !== question.state) {
      announcer.textContent = t("phaseChanged", { number: question.order, state: t(`state.${question.state}`) });
    }
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
    alerts.textContent = errorText(error);
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

tickCountdowns(() => state?.questions.values() ?? [], sections);

for (const section of sections.values()) {
  attachComposer({
    form: section.querySelector("[data-role=form]"),
    connection,
    roundtable: config.code,
    question: Number(section.dataset.questionId),
    maxChars: config.proposalMaxChars,
  });
  section.addEventListener("click", async (clickEvent) => {
    const flagButton = clickEvent.target.closest("button.flag");
    if (flagButton && !flagButton.disabled) {
      try {
        await connection.command("proposal.flag", { proposal: Number(flagButton.dataset.flag) });
        announcer.textContent = t("flagDone");
      } catch (error) {
        alerts.textContent = errorText(error);
      }
      return;
    }
    const button = clickEvent.target.closest("button.vote");
    if (!button || button.disabled) return;
    const proposalId = Number(button.dataset.proposal);
    const choice = button.dataset.choice;
    // Show the choice at once; the event that follows carries the true tally.
    for (const other of button.parentElement.querySelectorAll("button.vote")) {
      other.setAttribute("aria-pressed", other === button ? "true" : "false");
    }
    try {
      await connection.command("vote.cast", { proposal: proposalId, choice });
    } catch (error) {
      const proposal = state?.proposals.get(proposalId);
      if (proposal) replaceProposal(proposal);
      alerts.textContent = errorText(error);
    }
  });
}

connection.start();
