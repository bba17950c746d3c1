// The moderator console: phases and countdowns, switches, the moderation queue, every proposal with its
// actions, and live presence. Everything it shows comes from the same snapshot and events as every
// screen (the staff view of them); every button sends one command and shows the server's answer.
import { showCountdown, syncClock, tickCountdowns } from "./clock.js";
import { LiveConnection } from "./connection.js";
import { byPinThenId, element, readConfig } from "./dom.js";
import { setStrings, t } from "./i18n.js";
import { applyEvent, fromSnapshot } from "./state.js";
import { connectionStatus } from "./status.js";

const config = readConfig();
setStrings(config.strings);

let state = null;
let presence = null;
const sections = new Map();
for (const section of document.querySelectorAll("section.console-question")) {
  sections.set(Number(section.dataset.questionId), section);
  const text = config.questionTexts[section.dataset.questionId];
  const span = section.querySelector("[data-role=text]");
  span.textContent = text.text;
  span.lang = text.language;
}
const queue = document.getElementById("queue");
const alerts = document.getElementById("alerts");
const announcer = document.getElementById("announcer");

function actorTypeName(key) {
  return config.actorTypes[key] ?? key;
}

function tallyLine(tally) {
  return t("tally", { agree: tally.agree, disagree: tally.disagree, pass: tally.pass });
}

function statusLabel(proposal) {
  if (proposal.status === "merged") return t("status.merged", { id: proposal.merged_into });
  if (proposal.status === "pending" && proposal.flagged) return t("flaggedHeld");
  return t(`status.${proposal.status}`);
}

function actionButton(label, action, proposal, extra = {}) {
  return element("button", { type: "button", dataset: { action, proposal: String(proposal.id), ...extra } }, label);
}

function renderProposal(proposal, { inQueue = false } = {}) {
  const actions = element("div", { class: "moderation-actions", role: "group", "aria-label": `#${proposal.id}` });
  if (proposal.status === "pending") actions.append(actionButton(t("approve"), "approve", proposal));
  if (proposal.status === "visible" || proposal.status === "pending") actions.append(actionButton(t("hide"), "hide", proposal));
  if (proposal.status === "hidden") actions.append(actionButton(t("restore"), "restore", proposal));
  if (proposal.status !== "merged") actions.append(actionButton(t("edit"), "edit", proposal));
  if (!inQueue && proposal.status === "visible") {
    actions.append(actionButton(proposal.pinned ? t("unpin") : t("pin"), "pin", proposal, { pinned: proposal.pinned ? "" : "1" }));
  }
  if (proposal.status !== "merged") actions.append(actionButton(t("merge"), "merge", proposal));
  const meta = [
    `#${proposal.id}`,
    t("by", { name: proposal.author.name ?? t("anonymous") }),
    actorTypeName(proposal.author.actor_type),
    proposal.language.toUpperCase(),
  ];
  return element(
    "li",
    {
      class: `proposal moderation status-${proposal.status}${proposal.pinned ? " pinned" : ""}`,
      id: `${inQueue ? "queue" : "proposal"}-${proposal.id}`,
      dataset: { proposalId: String(proposal.id), status: proposal.status },
    },
    element("p", { class: "proposal-text", lang: proposal.language }, proposal.text),
    element("p", { class: "proposal-meta" }, meta.join(" · ")),
    element(
      "p",
      { class: "proposal-flags" },
      element("span", { class: "status-label" }, statusLabel(proposal)),
      proposal.pinned ? ` · ${t("pinned")}` : "",
      proposal.edited ? ` · ${t("edited")}` : "",
      proposal.flags ? ` · ${t("flags", { count: proposal.flags })}` : "",
      proposal.status === "hidden" && proposal.hidden_reason ? ` · ${t("hiddenBecause", { reason: proposal.hidden_reason })}` : "",
    ),
    proposal.tally ? element("p", { class: "tally-line" }, tallyLine(proposal.tally)) : null,
    actions,
  );
}

function renderQueue() {
  const waiting = [...state.proposals.values()].filter((p) => p.status === "pending").sort((a, b) => a.id - b.id);
  queue.replaceChildren(...waiting.map((p) => renderProposal(p, { inQueue: true })));
  document.getElementById("queue-empty").hidden = waiting.length > 0;
  document.querySelector("[data-role=queue-heading]").textContent = t("queue", { count: waiting.length });
}

function renderQuestion(question) {
  const section = sections.get(question.id);
  if (!section) return;
  const label = section.querySelector("[data-role=state]");
  label.dataset.state = question.state;
  label.textContent = t(`state.${question.state}`);
  for (const button of section.querySelectorAll("[data-phase]")) {
    button.setAttribute("aria-pressed", button.dataset.phase === question.state ? "true" : "false");
  }
  for (const box of section.querySelectorAll("[data-switch]")) box.checked = Boolean(question[box.dataset.switch]);
  section.querySelector("[data-role=stop-timer]").hidden = !question.phase_ends_at;
  section.querySelector("[data-role=on-screen]").hidden = state.roundtable.current_question !== question.id;
  showCountdown(section.querySelector("[data-role=countdown]"), question);
  const proposals = [...state.proposals.values()].filter((p) => p.question === question.id).sort(byPinThenId);
  section.querySelector("[data-role=proposals]").replaceChildren(...proposals.map((p) => renderProposal(p)));
  section.querySelector("[data-role=proposals-heading]").textContent = t("proposalCount", {
    count: proposals.filter((p) => p.status === "visible").length,
  });
  renderQuestionPresence(question.id);
}

function renderQuestionPresence(questionId) {
  const target = sections.get(questionId)?.querySelector("[data-role=presence]");
  if (!target) return;
  const here = presence?.by_question?.[String(questionId)];
  target.textContent = here ? `${t("presenceQuestion", { count: here.total })} (${breakdown(here.by_actor_type)})` : "";
}

function breakdown(byActorType) {
  return Object.entries(byActorType ?? {})
    .map(([key, count]) => t("countOf", { name: actorTypeName(key), count }))
    .join(", ");
}

function renderPresence() {
  const target = document.getElementById("presence");
  if (!presence) return;
  const people = presence.connected;
  target.textContent = `${t("presence", { count: people.total })}${people.total ? ` (${breakdown(people.by_actor_type)})` : ""}. ${t("presenceStaff", { count: presence.staff, watchers: presence.watchers })}`;
  for (const id of sections.keys()) renderQuestionPresence(id);
}

function renderAll() {
  for (const question of state.questions.values()) renderQuestion(question);
  renderQueue();
  document.getElementById("participant-count").textContent = t("participants", { count: state.participants.total });
}

function keepFocus(render) {
  const active = document.activeElement;
  const key = active?.dataset?.action ? [active.closest("li")?.id, active.dataset.action] : null;
  render();
  if (key && !document.activeElement?.isConnected) {
    document.getElementById(key[0])?.querySelector(`[data-action=${key[1]}]`)?.focus();
  }
}

const connection = new LiveConnection({
  path: config.socketPath,
  onSnapshot(frame) {
    syncClock(frame.now);
    state = fromSnapshot(frame);
    keepFocus(renderAll);
  },
  onEvent(event) {
    if (!state) return;
    const kind = applyEvent(state, event);
    if (!kind) return;
    if (kind === "participant.joined") {
      document.getElementById("participant-count").textContent = t("participants", { count: state.participants.total });
      return;
    }
    keepFocus(() => {
      if (kind === "roundtable.updated") {
        for (const question of state.questions.values()) renderQuestion(question);
        return;
      }
      const questionId = event.data.question?.id ?? event.data.question;
      const question = state.questions.get(questionId);
      if (question) renderQuestion(question);
      if (kind === "question.updated") {
        for (const other of state.questions.values()) if (other.id !== questionId) renderQuestion(other);
      }
      renderQueue();
    });
  },
  onFrame(frame) {
    if (frame.type === "presence") {
      presence = frame;
      renderPresence();
    }
  },
  onStatus: connectionStatus(document.getElementById("connection-status")),
});

async function run(type, fields, doneMessage = t("done")) {
  try {
    await connection.command(type, fields);
    announcer.textContent = doneMessage;
    return true;
  } catch (error) {
    alerts.textContent = error.code === "timeout" ? t("timeout") : error.message;
    return false;
  }
}

// An inline form inside a proposal's row (hide reason, corrected text, merge target), so everything
// stays reachable by keyboard without dialogs.
function inlineForm(row, { label, field, submitLabel, onSubmit }) {
  row.querySelector("form.inline-edit")?.remove();
  const id = `${row.id}-inline`;
  const form = element(
    "form",
    { class: "inline-edit stack" },
    element("label", { for: id }, label),
    field,
    element("div", { class: "moderation-actions" }, element("button", { type: "submit", class: "primary" }, submitLabel), element("button", { type: "button", dataset: { cancel: "1" } }, t("cancel"))),
  );
  field.id = id;
  form.addEventListener("submit", async (submitEvent) => {
    submitEvent.preventDefault();
    if (await onSubmit(field.value)) form.remove();
  });
  form.querySelector("[data-cancel]").addEventListener("click", () => {
    form.remove();
    row.querySelector("[data-action]")?.focus();
  });
  row.append(form);
  field.focus();
}

document.getElementById("main").addEventListener("click", async (clickEvent) => {
  const button = clickEvent.target.closest("button");
  if (!button) return;
  const section = button.closest("section.console-question");
  const questionId = section ? Number(section.dataset.questionId) : null;

  if (button.dataset.phase) {
    const minutes = Number.parseFloat(section.querySelector("[data-role=minutes]").value);
    const then = section.querySelector("[data-role=then]").value || null;
    const fields = { question: questionId, state: button.dataset.phase };
    if (minutes > 0) {
      fields.duration_seconds = Math.round(minutes * 60);
      if (then) fields.then = then;
    }
    const order = config.questionTexts[String(questionId)].order;
    if (await run("question.phase", fields, t("phaseSet", { number: order, state: t(`state.${button.dataset.phase}`) }))) {
      section.querySelector("[data-role=minutes]").value = "";
    }
    return;
  }
  if (button.dataset.role === "stop-timer") {
    const question = state.questions.get(questionId);
    await run("question.phase", { question: questionId, state: question.state });
    return;
  }
  if (button.dataset.role === "show") {
    await run("roundtable.show_question", { question: questionId });
    return;
  }

  const action = button.dataset.action;
  if (!action) return;
  const proposalId = Number(button.dataset.proposal);
  const proposal = state.proposals.get(proposalId);
  const row = button.closest("li");
  if (action === "approve" || action === "restore") {
    await run(`proposal.${action}`, { proposal: proposalId });
  } else if (action === "pin") {
    await run("proposal.pin", { proposal: proposalId, pinned: Boolean(button.dataset.pinned) });
  } else if (action === "hide") {
    const field = element("input", { type: "text", maxlength: "200", required: true, value: t("hideReasonDefault") });
    inlineForm(row, {
      label: t("hideReason"),
      field,
      submitLabel: t("hide"),
      onSubmit: (reason) => run("proposal.hide", { proposal: proposalId, reason }),
    });
    field.select();
  } else if (action === "edit") {
    const field = element("textarea", { rows: "3", maxlength: String(config.proposalMaxChars) });
    field.value = proposal.text;
    inlineForm(row, {
      label: t("edit"),
      field,
      submitLabel: t("save"),
      onSubmit: (text) => run("proposal.edit", { proposal: proposalId, text }),
    });
  } else if (action === "merge") {
    const field = element("select", {}, element("option", { value: "" }, t("mergeChoose")));
    const candidates = [...state.proposals.values()].filter((p) => p.question === proposal.question && p.status === "visible" && p.id !== proposalId);
    for (const candidate of candidates) field.append(element("option", { value: String(candidate.id) }, `#${candidate.id} ${candidate.text.slice(0, 80)}`));
    inlineForm(row, {
      label: t("mergeInto", { id: proposalId }),
      field,
      submitLabel: t("merge"),
      onSubmit: (into) => run("proposal.merge", { proposal: proposalId, into: Number(into) }),
    });
  }
});

document.getElementById("main").addEventListener("change", async (changeEvent) => {
  const box = changeEvent.target.closest("[data-switch]");
  if (!box) return;
  const section = box.closest("section.console-question");
  const ok = await run("question.settings", { question: Number(section.dataset.questionId), [box.dataset.switch]: box.checked });
  if (!ok) box.checked = !box.checked;
});

tickCountdowns(() => state?.questions.values() ?? [], sections);

connection.start();
