// The moderator console: phases and countdowns, switches, the moderation queue, every proposal with its
// actions, and live presence. Everything it shows comes from the same snapshot and events as every
// screen (the staff view of them); every button sends one command and shows the server's answer.
import { showCountdown, syncClock, tickCountdowns } from "./clock.js";
import { renderBalance, renderOpinionMap, renderThemes, themeLabel } from "./analysis.js";
import { LiveConnection } from "./connection.js";
import { byPinThenId, element, readConfig } from "./dom.js";
import { DraftPanel } from "./drafting.js";
import { duplicateButton, mergeDialogOpen } from "./merge_dialog.js";
import { setStrings, t, errorText } from "./i18n.js";
import { applyEvent, fromSnapshot } from "./state.js";
import { connectionStatus } from "./status.js";
import { Translations } from "./translate.js";

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
    ...translations.render(proposal),
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

function proposalLabel(id) {
  const proposal = state.proposals.get(id);
  return proposal ? `#${id} ${proposal.text.slice(0, 60)}` : `#${id}`;
}

function selectOf(label, options, { multiple = false } = {}) {
  const id = `select-${Math.random().toString(36).slice(2)}`;
  const select = element("select", { id, multiple }, ...options.map(([value, text]) => element("option", { value: String(value) }, text)));
  return [element("label", { for: id }, label), select];
}

// Curation controls of one theme: rename, lock, merge into another, split some off, move one in.
function themeControls(questionId, themes) {
  return (theme) => {
    const others = themes.filter((other) => other.number !== theme.number);
    const outside = [...state.proposals.values()].filter(
      (proposal) => proposal.question === questionId && proposal.status === "visible" && !theme.proposals.includes(proposal.id),
    );
    const controls = element("div", { class: "theme-controls moderation-actions" });
    controls.addEventListener("focusin", () => {
      lastTheme = { question: questionId, number: theme.number };
    });
    const rename = element("button", { type: "button" }, t("rename"));
    rename.addEventListener("click", () => {
      const field = element("input", { type: "text", maxlength: "120", value: theme.name ?? "" });
      inlineForm(controls, {
        label: t("themeName", { number: theme.number }),
        field,
        submitLabel: t("save"),
        onSubmit: (name) => run("theme.rename", { question: questionId, theme: theme.number, name }),
      });
    });
    const lock = element("button", { type: "button", "aria-pressed": theme.locked ? "true" : "false" }, theme.locked ? t("unlock") : t("lock"));
    lock.addEventListener("click", () => run("theme.lock", { question: questionId, theme: theme.number, locked: !theme.locked }));
    controls.append(rename, lock);
    if (!theme.locked && others.length) {
      const [label, select] = selectOf(t("mergeTheme"), others.map((other) => [other.number, `${t("themeNumber", { number: other.number })}: ${themeLabel(other, config.language).text}`]));
      const go = element("button", { type: "button" }, t("mergeGo"));
      go.addEventListener("click", () => run("theme.merge", { question: questionId, theme: theme.number, into: Number(select.value) }));
      controls.append(element("span", { class: "control" }, label, select, go));
    }
    if (!theme.locked && theme.proposals.length > 1) {
      const [label, select] = selectOf(t("splitOff"), theme.proposals.map((id) => [id, proposalLabel(id)]), { multiple: true });
      const go = element("button", { type: "button" }, t("splitGo"));
      go.addEventListener("click", () => {
        const chosen = [...select.selectedOptions].map((option) => Number(option.value));
        run("theme.split", { question: questionId, theme: theme.number, proposals: chosen });
      });
      controls.append(element("span", { class: "control" }, label, select, go));
    }
    if (!theme.locked && outside.length) {
      const [label, select] = selectOf(t("moveTo"), outside.map((proposal) => [proposal.id, proposalLabel(proposal.id)]));
      const go = element("button", { type: "button" }, t("moveGo"));
      go.addEventListener("click", () => run("proposal.move", { proposal: Number(select.value), theme: theme.number }));
      controls.append(element("span", { class: "control" }, label, select, go));
    }
    return controls;
  };
}

// Questions whose theme list changed while a moderator was working in it: rebuilt once they leave it.
const themesStale = new Set();
// The theme whose controls a moderator last worked in ({question, number}), while focus stays in the
// themes: when its list is rebuilt under them (or their form closes), focus goes back to that theme.
let lastTheme = null;
document.addEventListener("focusin", (focusEvent) => {
  if (!focusEvent.target.closest?.("[data-role=themes]")) lastTheme = null;
});
function renderStaleThemes() {
  // After the focus has moved (focusout fires before the new element has it; a removed form fires none).
  setTimeout(() => {
    for (const questionId of [...themesStale]) renderAnalysis(questionId);
  }, 0);
}
document.addEventListener("focusout", renderStaleThemes);

function renderAnalysis(questionId) {
  const section = sections.get(questionId);
  if (!section) return;
  const themesList = section.querySelector("[data-role=themes]");
  // Don't rebuild the controls under someone choosing in them.
  if (themesList.contains(document.activeElement) && document.activeElement !== document.body) {
    themesStale.add(questionId);
  } else {
    themesStale.delete(questionId);
    const themes = state.themes.get(questionId) ?? [];
    renderThemes(themesList, {
      themes,
      proposals: state.proposals,
      language: config.language,
      controls: themeControls(questionId, themes),
      idPrefix: `q${questionId}-`,
    });
    // A keyboard user whose form just closed lands back on the same theme, not at the page's top.
    if (lastTheme?.question === questionId && document.activeElement === document.body) {
      themesList.querySelector(`#q${questionId}-theme-${lastTheme.number} button`)?.focus();
    }
    section.querySelector("[data-role=themes-empty]").hidden = themes.length > 0;
  }
  const opinions = state.opinions.get(questionId);
  renderOpinionMap(section.querySelector("[data-role=opinions]"), {
    opinions: opinions ?? null,
    myKey: null,
    proposals: state.proposals,
    actorTypes: config.actorTypes,
  });
  const pairs = state.duplicates?.get(questionId) ?? [];
  section.querySelector("[data-role=duplicates]").replaceChildren(
    ...pairs
      .filter(([a, b]) => state.proposals.get(a)?.status === "visible" && state.proposals.get(b)?.status === "visible")
      .map(([a, b, score, offer]) => {
        const merge = duplicateButton({ code: config.code, pair: [a, b, score, offer], run });
        return element("li", {}, t("duplicatePair", { a, b, score }), " ", element("q", {}, state.proposals.get(a).text), " / ", element("q", {}, state.proposals.get(b).text), " ", merge);
      }),
  );
}

// Drafting conclusions, one panel per question; what each moderator is editing, from live presence.
const drafts = new Map();
let editingReported = "null";
function reportEditing(editing) {
  const text = JSON.stringify(editing);
  if (text === editingReported) return;
  editingReported = text;
  connection.send({ type: "presence", question: editing?.question ?? null, editing });
}
for (const [questionId, section] of sections) {
  drafts.set(
    questionId,
    new DraftPanel(section, questionId, {
      run: (type, fields) => run(type, fields),
      connection: { command: (type, fields) => connection.command(type, fields) },
      getState: () => state,
      actorTypes: config.actorTypes,
      config,
      onEditing: reportEditing,
    }),
  );
}

function renderEditing() {
  for (const [questionId, section] of sections) {
    const others = (presence?.editing ?? []).filter((item) => item.question === questionId && item.name !== config.me);
    section.querySelector("[data-role=editing]").textContent = others
      .map((item) => (item.section ? t("editingSection", { name: item.name, section: item.section }) : t("editingDraft", { name: item.name })))
      .join(" · ");
  }
}

function renderAll() {
  for (const panel of drafts.values()) panel.render();
  for (const questionId of state.questions.keys()) renderAnalysis(questionId);
  renderBalance(document.getElementById("balance"), { balance: state.balance, actorTypes: config.actorTypes });
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

const translations = new Translations({
  enabled: config.translation,
  language: config.language,
  command: (type, fields) => connection.command(type, fields),
  rerender(id) {
    const proposal = state?.proposals.get(id);
    if (!proposal) return;
    renderQuestion(state.questions.get(proposal.question));
    renderQueue();
  },
  onError: (error) => {
    alerts.textContent = errorText(error);
  },
});

const connection = new LiveConnection({
  path: config.socketPath,
  commandTimeoutSeconds: config.commandTimeoutSeconds,
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
      if (kind === "opinions.updated") renderBalance(document.getElementById("balance"), { balance: state.balance, actorTypes: config.actorTypes });
      if (question && kind !== "question.updated") renderAnalysis(questionId);
      const draftQuestion = kind === "statement.updated" ? event.data.statement.question : questionId;
      if (drafts.has(draftQuestion)) drafts.get(draftQuestion).render();
      else if (kind === "vote.cast") drafts.get(state.proposals.get(event.data.proposal)?.question)?.render();
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
      renderEditing();
    }
  },
  onStatus: connectionStatus(document.getElementById("connection-status")),
});

async function run(type, fields, doneMessage = t("done")) {
  try {
    await connection.command(type, fields);
    announcer.textContent = doneMessage;
    renderStaleThemes();
    return true;
  } catch (error) {
    alerts.textContent = errorText(error);
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
      onSubmit: (into) => mergeDialogOpen({ code: config.code, proposal: proposalId, into: Number(into), run }),
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
