// The participant screen: submit proposals on the open question, vote on everyone's, all live.
import { LiveConnection } from "./connection.js";
import { setStrings, t } from "./i18n.js";
import { applyEvent, fromSnapshot } from "./state.js";

const config = JSON.parse(document.getElementById("client-config").textContent);
setStrings(config.strings);

const CHOICES = ["agree", "disagree", "pass"];
const ANNOUNCE_BATCH_MS = 1500;

let state = null;
const sections = new Map(); // question id -> section element
for (const section of document.querySelectorAll("section.question")) {
  sections.set(Number(section.dataset.questionId), section);
}

const statusElement = document.getElementById("connection-status");
const announcer = document.getElementById("announcer");
const alerts = document.getElementById("alerts");
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

function setStatus(status, seconds) {
  statusElement.dataset.state = status;
  if (status === "live") statusElement.textContent = t("live");
  else if (status === "reconnecting" && seconds) statusElement.textContent = t("reconnectingIn", { seconds });
  else if (status === "reconnecting") statusElement.textContent = t("reconnecting");
  else if (status === "gone") statusElement.textContent = t("gone");
  else statusElement.textContent = t("connecting");
}

function element(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false || value === null || value === undefined) continue;
    if (name === "class") node.className = value;
    else if (name === "dataset") Object.assign(node.dataset, value);
    else node.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children) if (child !== null && child !== undefined) node.append(child);
  return node;
}

function tallyText(tally) {
  return t("tally", { agree: tally.agree, disagree: tally.disagree, pass: tally.pass });
}

function renderProposal(proposal) {
  const question = state.questions.get(proposal.question);
  const canVote = question && (question.state === "collecting" || question.state === "voting");
  const author = `${proposal.author.name} · ${config.actorTypes[proposal.author.actor_type] ?? proposal.author.actor_type}`;
  const total = proposal.tally.agree + proposal.tally.disagree + proposal.tally.pass;
  const bar = element("div", { class: "tally-bar", "aria-hidden": "true" });
  for (const choice of CHOICES) {
    const share = total ? (100 * proposal.tally[choice]) / total : 0;
    const segment = element("span", { class: `tally-${choice}` });
    segment.style.width = `${share}%`;
    bar.append(segment);
  }
  const buttons = element("div", { class: "vote-buttons", role: "group", "aria-label": t("voteOn") });
  for (const choice of CHOICES) {
    const button = element(
      "button",
      {
        type: "button",
        class: `vote vote-${choice}`,
        "aria-pressed": proposal.my_vote === choice ? "true" : "false",
        disabled: !canVote,
        dataset: { choice, proposal: String(proposal.id) },
      },
      `${t(choice)} `,
      element("span", { class: "count" }, String(proposal.tally[choice])),
    );
    buttons.append(button);
  }
  return element(
    "li",
    { class: proposal.mine ? "proposal mine" : "proposal", id: `proposal-${proposal.id}`, dataset: { proposalId: String(proposal.id) } },
    element("p", { class: "proposal-text", lang: proposal.language }, proposal.text),
    element(
      "p",
      { class: "proposal-meta" },
      author,
      " · ",
      element("abbr", { title: t("writtenIn", { language: t(`lang.${proposal.language}`) }) }, proposal.language.toUpperCase()),
      proposal.mine ? element("span", { class: "badge" }, t("mine")) : null,
    ),
    bar,
    element("p", { class: "visually-hidden tally-text" }, tallyText(proposal.tally)),
    buttons,
  );
}

function renderQuestion(question) {
  const section = sections.get(question.id);
  if (!section) return;
  const stateLabel = section.querySelector("[data-role=state]");
  stateLabel.dataset.state = question.state;
  stateLabel.textContent = t(`state.${question.state}`);
  const collecting = question.state === "collecting";
  section.querySelector("[data-role=form]").hidden = !collecting;
  section.querySelector("[data-role=closed-note]").hidden = collecting;
  const list = section.querySelector("[data-role=proposals]");
  const proposals = [...state.proposals.values()].filter((p) => p.question === question.id && p.status === "visible");
  list.replaceChildren(...proposals.map(renderProposal));
  showProposalCount(section);
}

function showProposalCount(section) {
  const count = section.querySelector("[data-role=proposals]").children.length;
  section.querySelector("[data-role=empty]").hidden = count > 0;
  section.querySelector("[data-role=proposals-heading]").textContent = t("proposalCount", { count });
}

function replaceProposal(proposal) {
  const existing = document.getElementById(`proposal-${proposal.id}`);
  const section = sections.get(proposal.question);
  if (!section) return;
  if (!existing) {
    renderQuestion(state.questions.get(proposal.question));
    return;
  }
  // Keep keyboard focus on the same vote button across the re-render.
  const focusedChoice = existing.contains(document.activeElement) ? document.activeElement.dataset.choice : null;
  const fresh = renderProposal(proposal);
  existing.replaceWith(fresh);
  if (focusedChoice) fresh.querySelector(`[data-choice=${focusedChoice}]`)?.focus();
}

function renderAll() {
  for (const question of state.questions.values()) renderQuestion(question);
  renderParticipants();
}

function renderParticipants() {
  participantCount.textContent = t("participants", { count: state.participants.total });
}

function onSnapshot(frame) {
  state = fromSnapshot(frame);
  renderAll();
}

function onEvent(event) {
  if (!state) return;
  const kind = applyEvent(state, event);
  if (kind === "proposal.submitted") {
    const proposal = state.proposals.get(event.data.proposal.id);
    const section = sections.get(proposal.question);
    if (section && !document.getElementById(`proposal-${proposal.id}`)) {
      section.querySelector("[data-role=proposals]").append(renderProposal(proposal));
      showProposalCount(section);
      if (!proposal.mine) announceNewProposal();
    }
  } else if (kind === "vote.cast") {
    const proposal = state.proposals.get(event.data.proposal);
    if (proposal) replaceProposal(proposal);
  } else if (kind === "participant.joined") {
    renderParticipants();
  }
}

const connection = new LiveConnection({ path: config.socketPath, onSnapshot, onEvent, onStatus: setStatus });

function showFormError(section, message) {
  const box = section.querySelector("[data-role=form-error]");
  box.textContent = message;
  box.hidden = !message;
}

for (const section of sections.values()) {
  const form = section.querySelector("[data-role=form]");
  const textarea = form.querySelector("textarea");
  const counter = form.querySelector("[data-role=counter]");
  const submit = form.querySelector("[data-role=submit]");
  const updateCounter = () => {
    counter.textContent = t("charactersLeft", { count: config.proposalMaxChars - textarea.value.length });
  };
  textarea.maxLength = config.proposalMaxChars;
  updateCounter();
  textarea.addEventListener("input", updateCounter);
  form.addEventListener("submit", async (submitEvent) => {
    submitEvent.preventDefault();
    const text = textarea.value.trim();
    if (!text) {
      showFormError(section, t("textEmpty"));
      textarea.focus();
      return;
    }
    submit.disabled = true;
    submit.textContent = t("sending");
    showFormError(section, "");
    try {
      await connection.command("proposal.submit", { question: Number(section.dataset.questionId), text });
      textarea.value = "";
      updateCounter();
      announcer.textContent = t("sent");
    } catch (error) {
      showFormError(section, error.code === "timeout" ? t("timeout") : error.message);
    } finally {
      submit.disabled = false;
      submit.textContent = t("submit");
    }
  });
  section.addEventListener("click", async (clickEvent) => {
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
      alerts.textContent = error.code === "timeout" ? t("timeout") : error.message;
    }
  });
}

connection.start();
