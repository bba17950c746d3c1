// The projector screen: read-only and large. The question on screen (the one a moderator put there, or
// the one open), its countdown, proposals arriving, the most supported, and who takes part. It is a
// watcher socket: it sees exactly what the public sees.
import { showCountdown, syncClock } from "./clock.js";
import { renderOpinionMap, renderThemes } from "./analysis.js";
import { LiveConnection } from "./connection.js";
import { element, readConfig } from "./dom.js";
import { setStrings, t } from "./i18n.js";
import { applyEvent, fromSnapshot } from "./state.js";
import { connectionStatus } from "./status.js";

const config = readConfig();
setStrings(config.strings);

const LATEST = 5;
const TOP = 5;
let state = null;

const heading = document.getElementById("screen-question");
const countdown = heading.parentElement.querySelector("[data-role=countdown]");

function currentQuestion() {
  const chosen = state.questions.get(state.roundtable.current_question);
  if (chosen) return chosen;
  return [...state.questions.values()].find((q) => q.state === "collecting" || q.state === "voting") ?? null;
}

function proposalItem(proposal, { withSupport }) {
  const actorType = config.actorTypes[proposal.author.actor_type] ?? proposal.author.actor_type;
  return element(
    "li",
    { class: "screen-proposal", dataset: { proposalId: String(proposal.id) } },
    element("p", { class: "proposal-text", lang: proposal.language }, proposal.text),
    element(
      "p",
      { class: "proposal-meta" },
      `${proposal.author.name ?? t("anonymous")} · ${actorType}`,
      withSupport && proposal.tally ? ` · ${t("support", { agree: proposal.tally.agree })}` : "",
    ),
  );
}

function render() {
  const question = currentQuestion();
  const number = heading.querySelector("[data-role=number]");
  const text = heading.querySelector("[data-role=text]");
  const stateLabel = heading.parentElement.querySelector("[data-role=state]");
  if (!question) {
    number.textContent = "";
    text.textContent = t("noQuestion");
    stateLabel.textContent = "";
    countdown.hidden = true;
  } else {
    const words = config.questionTexts[String(question.id)];
    number.textContent = `${question.order}.`;
    text.textContent = words.text;
    text.lang = words.language;
    stateLabel.dataset.state = question.state;
    stateLabel.textContent = t(`state.${question.state}`);
    showCountdown(countdown, question);
  }
  const proposals = question ? [...state.proposals.values()].filter((p) => p.question === question.id) : [];
  const latest = [...proposals].sort((a, b) => b.id - a.id).slice(0, LATEST);
  const top = proposals
    .filter((p) => p.tally && p.tally.agree > 0)
    .sort((a, b) => b.tally.agree - a.tally.agree || a.tally.disagree - b.tally.disagree || a.id - b.id)
    .slice(0, TOP);
  fill("latest", latest.map((p) => proposalItem(p, { withSupport: false })), t("noneYet"));
  const hidden = proposals.length > 0 && proposals.every((p) => p.tally === null);
  fill("top", top.map((p) => proposalItem(p, { withSupport: true })), hidden ? t("talliesHidden") : t("noneYet"));
  const themes = question ? (state.themes.get(question.id) ?? []) : [];
  renderThemes(document.getElementById("themes"), { themes, proposals: state.proposals, language: config.language, limit: 6, idPrefix: "screen-" });
  document.getElementById("themes-empty").hidden = themes.length > 0;
  const opinions = question ? state.opinions.get(question.id) : null;
  renderOpinionMap(document.getElementById("opinions"), {
    opinions: opinions ?? null,
    myKey: null,
    brief: true,
    proposals: state.proposals,
    actorTypes: config.actorTypes,
  });
  renderBalance();
}

function fill(id, items, emptyText) {
  const list = document.getElementById(id);
  list.replaceChildren(...(items.length ? items : [element("li", { class: "hint" }, emptyText)]));
}

function renderBalance() {
  const counts = state.participants;
  document.getElementById("participant-total").textContent = t("participants", { count: counts.total });
  const largest = Math.max(1, ...Object.values(counts.by_actor_type));
  const rows = Object.entries(counts.by_actor_type)
    .sort((a, b) => b[1] - a[1])
    .map(([key, count]) => {
      const bar = element("span", { class: "balance-bar", "aria-hidden": "true" });
      bar.style.width = `${(100 * count) / largest}%`;
      return element("li", {}, element("span", { class: "balance-label" }, t("countOf", { name: config.actorTypes[key] ?? key, count })), bar);
    });
  document.getElementById("balance").replaceChildren(...rows);
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

setInterval(() => {
  if (state) showCountdown(countdown, currentQuestion());
}, 1000);

connection.start();
