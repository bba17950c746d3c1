// The run of show in the console (issue 19): one bar above the panes with the step now and its
// countdown, the next step, the time left for the whole session, a warning when the rest of the plan no
// longer fits before the planned end, and the controls (start, skip and back each after a confirmation
// beside them; pause and resume; extend). "Plan against the clock" opens every step, planned against
// how it ran. Before any plan is saved, the bar shows the suggested plan, which Start saves and runs.
// The bar is built once and then only its words change, so focus stays on the control a moderator
// pressed. Step changes are announced once each (never the ticking countdown).
//
// Skip and back act on the whole room at once (every phone and the projector move on), so they ask
// first, as Start does, rather than offering an "Undo" afterwards: an undo would move the room twice
// (and back restarts a step from its start, so it cannot give back the skipped step as it was), while
// one more click keeps a misclick from reaching anyone. Pause and the extensions are not asked: each is
// undone by its opposite with nothing lost.
import { formatSeconds, secondsLeft, serverNow } from "../clock.js";
import { element } from "../dom.js";
import { t, tn } from "../i18n.js";
import {
  clockTime,
  currentIndex,
  currentStep,
  minutesOf,
  nextLine,
  nextStep,
  overrunSeconds,
  projectedEnd,
  showKey,
  stepClock,
  stepTitle,
} from "../show.js";
import { announce, ctx, run } from "./shared.js";

const EXTENSIONS = [60, 120, 300];
const parts = {};
let lastKey = null;
let lastFits = true;
// The control to give focus to once the show's new state shows it (the ack and the event come in
// either order): Pause after starting or resuming, Resume after pausing.
let focusNext = null;
// The confirmation open beside the controls: { action, key } (the show's state and step when it
// opened; if the step moves on meanwhile, it no longer says what Yes would do, so it closes).
let asking = null;

const zone = () => ({ language: ctx.config.language, timeZone: ctx.config.timeZone });
// Without a saved plan, the suggested one (page config), which Start saves and runs.
const show = () => ctx.state?.runOfShow ?? ctx.config.runOfShowSuggestion ?? null;
const CONFIRMED = { start: "run_of_show.start", skip: "run_of_show.skip", back: "run_of_show.back" };

function button(action, text, attributes = {}) {
  return element("button", { type: "button", dataset: { show: action }, ...attributes }, text);
}

function build(root) {
  parts.root = root;
  parts.state = element("span", { class: "show-state", "data-role": "show-state" });
  parts.now = element("span", { class: "show-now", "data-role": "show-now" });
  parts.countdown = element("span", {
    class: "show-countdown",
    "data-role": "show-countdown",
    role: "timer",
    "aria-live": "off",
  });
  parts.next = element("span", { class: "show-next", "data-role": "show-next" });
  parts.session = element("span", { class: "show-session", "data-role": "show-session" });
  parts.warning = element("p", { class: "show-warning", "data-role": "show-warning", hidden: true });
  parts.table = element("tbody");
  parts.caption = element("caption");
  parts.plan = element(
    "details",
    { class: "show-plan", "data-role": "show-plan" },
    element("summary", {}, t("show.plan")),
    element(
      "div",
      { class: "show-plan-body" },
      element(
        "table",
        { class: "show-table" },
        parts.caption,
        element(
          "thead",
          {},
          element(
            "tr",
            {},
            ...["show.colStep", "show.colPlanned", "show.colActual", "show.colDifference"].map((key) =>
              element("th", { scope: "col" }, t(key)),
            ),
          ),
        ),
        parts.table,
      ),
    ),
  );
  parts.start = button("start", t("show.start"));
  parts.confirmText = element("span", { id: "show-confirm-text" });
  parts.confirmYes = button("confirm-yes", "", { class: "primary", "aria-describedby": "show-confirm-text" });
  parts.confirm = element(
    "span",
    { class: "show-confirm", "data-role": "show-confirm", hidden: true },
    parts.confirmText,
    parts.confirmYes,
    button("confirm-no", t("cancel")),
  );
  parts.pause = button("pause", t("show.pause"));
  parts.resume = button("resume", t("show.resume"), { class: "primary" });
  // Each accessible name starts with the words on the button (WCAG 2.5.3, Label in Name): a voice
  // control user says "+2 min" or "Skip" and reaches it; the rest of the name says what it does.
  parts.extend = EXTENSIONS.map((seconds) => {
    const label = t("show.extend", { count: seconds / 60 });
    const name = tn("show.extendName", seconds / 60, { label });
    return button("extend", label, { "data-seconds": String(seconds), "aria-label": name, title: name });
  });
  const skipName = t("show.skipName", { label: t("show.skip") });
  const backName = t("show.backName", { label: t("show.back") });
  parts.skip = button("skip", t("show.skip"), { title: skipName, "aria-label": skipName });
  parts.back = button("back", t("show.back"), { title: backName, "aria-label": backName });
  parts.controls = element(
    "div",
    { class: "show-controls", role: "group", "aria-label": t("show.heading"), "data-error-host": true },
    parts.start,
    parts.confirm,
    parts.pause,
    parts.resume,
    ...parts.extend,
    parts.skip,
    parts.back,
  );
  root.replaceChildren(
    element(
      "div",
      { class: "show-line" },
      element(
        "div",
        { class: "show-title" },
        element(
          "div",
          { class: "show-title-line" },
          element("h2", { id: "show-heading", class: "show-heading" }, t("show.heading")),
          parts.state,
        ),
        parts.plan,
      ),
      element("p", { class: "show-facts" }, parts.now, " ", parts.countdown, " ", parts.next, " ", parts.session),
      parts.controls,
    ),
    parts.warning,
  );
  root.addEventListener("click", (clickEvent) => {
    const target = clickEvent.target.closest("button[data-show]");
    if (target) control(target);
  });
  root.addEventListener("keydown", (keyEvent) => {
    if (keyEvent.key !== "Escape") return;
    if (asking) {
      keyEvent.preventDefault();
      confirming(null);
    } else if (parts.plan.open) {
      keyEvent.preventDefault();
      parts.plan.open = false;
      parts.plan.querySelector("summary").focus();
    }
  });
}

// What Yes would do, in words that name the steps ("End “Q1 · Voting” now for everyone and start
// “Coffee break”?"), and the Yes button's own words.
function confirmWords(action, current) {
  const language = ctx.config.language;
  const step = currentStep(current);
  const next = nextStep(current);
  if (action === "start") {
    return [t(current.suggested ? "show.startSuggestedConfirm" : "show.startConfirm"), t("show.startYes")];
  }
  if (action === "skip") {
    const words = next
      ? t("show.skipConfirm", { step: stepTitle(step, language), next: stepTitle(next, language) })
      : t("show.skipLastConfirm", { step: stepTitle(step, language) });
    return [words, t("show.skipYes")];
  }
  const previous = current.steps[(currentIndex(current) ?? 1) - 1];
  return [
    t("show.backConfirm", { previous: stepTitle(previous, language), step: stepTitle(step, language) }),
    t("show.backYes"),
  ];
}

// Open the confirmation for `action` in place of the controls (focus on Yes), or close it (`null`: focus
// back on the control that opened it, when it is still there).
function confirming(action) {
  const before = asking;
  const current = show();
  asking = action && current ? { action, key: showKey(current) } : null;
  if (asking) [parts.confirmText.textContent, parts.confirmYes.textContent] = confirmWords(action, current);
  if (current) setControls(current);
  if (asking) parts.confirmYes.focus();
  else if (before) {
    const opener = parts[before.action];
    (opener && !opener.hidden ? opener : [parts.pause, parts.resume, parts.start].find((item) => !item.hidden))?.focus();
  }
}

async function control(target) {
  const action = target.dataset.show;
  const anchor = parts.controls;
  if (CONFIRMED[action]) return confirming(action);
  if (action === "confirm-no") return confirming(null);
  if (action === "confirm-yes") {
    if (!asking) return;
    const chosen = asking.action;
    asking = null;
    // After starting, Pause takes the focus; after skip or back, the same control stays under it.
    focusNext = chosen === "start" ? parts.pause : parts[chosen];
    setControls(show());
    if (await run(CONFIRMED[chosen], {}, { anchor, done: null })) renderShow();
    else focusNext = null;
    return;
  }
  if (action === "extend") {
    const seconds = Number(target.dataset.seconds);
    await run("run_of_show.extend", { seconds }, { anchor, done: tn("show.extended", seconds / 60) });
    return;
  }
  const type = { pause: "run_of_show.pause", resume: "run_of_show.resume" }[action];
  if (!type) return;
  // The control pressed goes (Pause becomes Resume): focus stays in the group.
  focusNext = { pause: parts.resume, resume: parts.pause }[action];
  if (await run(type, {}, { anchor, done: null })) renderShow();
  else focusNext = null;
}

function setControls(current) {
  const hadFocus = parts.controls.contains(document.activeElement);
  const state = current.state;
  const live = state === "running" || state === "paused";
  // A confirmation opened for another step (the clock moved on meanwhile) would do what it no longer
  // says: it closes.
  if (asking && asking.key !== showKey(current)) asking = null;
  parts.confirm.hidden = !asking;
  // While it asks, it stands alone where the controls were.
  const free = !asking;
  parts.start.hidden = state !== "planned" || !free;
  parts.pause.hidden = state !== "running" || !free;
  parts.resume.hidden = state !== "paused" || !free;
  for (const extend of parts.extend) extend.hidden = !live || !free;
  parts.skip.hidden = !live || !free;
  parts.back.hidden = !live || (currentIndex(current) ?? 0) === 0 || !free;
  if (focusNext && !focusNext.hidden) {
    focusNext.focus();
    focusNext = null;
  }
  // A control that disappears under the keyboard's focus hands it on to one that stays.
  const focused = document.activeElement;
  const gone = focused.hidden || (parts.confirm.contains(focused) && parts.confirm.hidden);
  if (focused === document.body || (parts.controls.contains(focused) && gone)) {
    if (hadFocus) [parts.pause, parts.resume, parts.skip, parts.start].find((candidate) => !candidate.hidden)?.focus();
  }
}

function range(startIso, endIso) {
  const start = clockTime(startIso, zone());
  const end = clockTime(endIso, zone());
  return start && end ? t("show.range", { start, end }) : start || end;
}

function seconds(fromIso, toIso) {
  return Math.round((Date.parse(toIso) - Date.parse(fromIso)) / 1000);
}

// When each step still to come is expected to start if the plan is followed from now (ms), by index.
function expectedStarts(current) {
  const starts = new Map();
  const index = currentIndex(current);
  let cursor = null;
  if (current.state === "running") cursor = Date.parse(current.step_ends_at);
  else if (current.state === "paused") cursor = serverNow() + (current.paused_remaining ?? 0) * 1000;
  else if (current.state === "planned") cursor = Math.max(Date.parse(current.planned_start ?? "") || 0, serverNow());
  if (cursor === null || Number.isNaN(cursor)) return starts;
  current.steps.forEach((step, at) => {
    if (index !== null && at <= index) return;
    starts.set(at, cursor);
    cursor += step.planned_seconds * 1000;
  });
  return starts;
}

function planRow(step, index, current, expected) {
  const now = index === currentIndex(current);
  const planned = [range(step.planned_start, step.planned_end), tn("show.length", minutesOf(step.planned_seconds))]
    .filter(Boolean)
    .join(" · ");
  let actual = t("show.notYet");
  let difference = "";
  let off = false;
  if (step.started_at && step.ended_at) {
    const took = seconds(step.started_at, step.ended_at);
    actual = `${range(step.started_at, step.ended_at)} · ${tn("show.length", minutesOf(took))}`;
    const delta = took - step.planned_seconds;
    // Within half a minute is on time; otherwise whole minutes over or under ("Q2 ran 4 minutes over").
    off = Math.abs(delta) >= 30;
    difference = off ? tn(delta > 0 ? "show.over" : "show.under", Math.round(Math.abs(delta) / 60) || 1) : t("show.onTime");
  } else if (step.started_at) {
    actual = t("show.sinceStart", { start: clockTime(step.started_at, zone()) });
  } else if (expected.has(index)) {
    actual = t("show.expected", { time: clockTime(expected.get(index), zone()) });
  }
  if (step.skipped) actual = `${actual} · ${t("show.skipped")}`;
  // Runs that back set aside are part of what happened (a step cut short, or run a first time).
  const earlier = (step.earlier_runs ?? []).map((ran) =>
    t(ran.reason === "undone" ? "show.ranUndone" : "show.ranBefore", { range: range(ran.started_at, ran.ended_at) }),
  );
  if (earlier.length) actual = [...earlier, actual].join(" · ");
  const notes = [];
  if (now) notes.push(element("strong", { class: "show-badge" }, t("show.now.badge")));
  if (step.extended_seconds) {
    notes.push(element("span", { class: "show-extended" }, tn("show.extended", minutesOf(step.extended_seconds))));
  }
  const classes = [now && "show-current", step.skipped && "show-skipped", step.ended_at && "show-done"].filter(Boolean);
  return element(
    "tr",
    { class: classes.join(" ") || null, "aria-current": now ? "step" : null, "data-step": String(step.id ?? index) },
    element(
      "th",
      { scope: "row" },
      `${index + 1}. ${stepTitle(step, ctx.config.language)}`,
      ...notes.flatMap((note) => [" ", note]),
    ),
    element("td", {}, planned),
    element("td", {}, actual),
    element("td", { class: off ? "show-delta" : null }, difference),
  );
}

function drawPlan(current) {
  const expected = expectedStarts(current);
  parts.table.replaceChildren(...current.steps.map((item, index) => planRow(item, index, current, expected)));
}

// The words that follow the clock: the step's countdown, the session's time left, the warning (and,
// while it is open and paused, the plan's expected times, which move with the clock).
export function tickShow() {
  const current = show();
  if (!current || !parts.root) return;
  if (parts.plan.open && current.state === "paused") drawPlan(current);
  parts.countdown.textContent = stepClock(current);
  parts.countdown.hidden = !parts.countdown.textContent;
  const end = current.planned_end;
  if (current.state === "planned") {
    parts.session.textContent =
      current.planned_start && end
        ? t("show.sessionPlanned", { start: clockTime(current.planned_start, zone()), end: clockTime(end, zone()) })
        : "";
  } else if (end) {
    const left = secondsLeft(end);
    parts.session.textContent =
      left > 0
        ? t("show.sessionLeft", { time: formatSeconds(left), end: clockTime(end, zone()) })
        : t("show.sessionPast", { end: clockTime(end, zone()) });
  } else {
    parts.session.textContent = "";
  }
  parts.session.hidden = !parts.session.textContent;
  const over = overrunSeconds(current);
  parts.warning.hidden = over === 0;
  parts.root.dataset.fits = over === 0 ? "true" : "false";
  if (over) {
    parts.warning.textContent = tn("show.overrun", minutesOf(over), {
      end: clockTime(projectedEnd(current), zone()),
      planned: clockTime(end, zone()),
    });
  }
  // Said once when the plan stops fitting (not again each minute it grows).
  if (over && lastFits) announce(parts.warning.textContent);
  lastFits = over === 0;
}

export function renderShow() {
  const root = document.getElementById("show");
  const current = show();
  root.hidden = !current;
  if (!current) return;
  if (!parts.root) build(root);
  root.dataset.state = current.state;
  parts.state.dataset.state = current.state;
  parts.state.textContent = t(current.suggested ? "show.state.suggested" : `show.state.${current.state}`);
  const step = currentStep(current);
  const language = ctx.config.language;
  const number = (currentIndex(current) ?? 0) + 1;
  parts.now.textContent = step ? t("show.now", { step: stepTitle(step, language) }) : "";
  parts.now.title = step ? t("show.stepOf", { number, total: current.steps.length }) : "";
  parts.next.textContent = current.state === "finished" ? t("show.finished") : nextLine(current, language);
  parts.caption.textContent = t("show.planCaption", { zone: ctx.config.timeZone });
  drawPlan(current);
  setControls(current);
  tickShow();
}

// After an event: draw, and say what changed for people (the step, a pause, the end), once.
export function showUpdated() {
  const current = show();
  const key = showKey(current);
  const before = lastKey;
  renderShow();
  lastKey = key;
  if (before === null || before === key || !current) return;
  const language = ctx.config.language;
  const step = currentStep(current);
  const [beforeState, beforeIndex] = before.split(":");
  if (current.state === "finished") announce(t("show.announceFinished"));
  else if (current.state === "paused" && beforeState === "running") announce(t("show.announcePaused"));
  else if (step) {
    const words = t("show.announceStep", { step: stepTitle(step, language), next: nextLine(current, language) });
    if (beforeState === "planned") announce(`${t("show.announceStarted")} ${words}`);
    else if (beforeState === "paused" && beforeIndex === String(current.current)) announce(t("show.announceResumed"));
    else announce(words);
  }
}

// The first snapshot: drawn, nothing announced.
export function showLoaded() {
  lastKey = showKey(show());
  lastFits = true;
  renderShow();
  lastFits = overrunSeconds(show()) === 0;
}
