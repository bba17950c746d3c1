// The run of show as every screen reads it (the snapshot's `run_of_show`, replaced whole by each
// `run_of_show.updated` event): the step now, the step after it, the time left in the step and in the
// session, and whether the rest of the plan still fits before the planned end. Pure reading: the server
// alone moves the plan on; screens show it against the server's clock (clock.js).
import { formatSeconds, secondsLeft, serverNow } from "./clock.js";
import { t, tn } from "./i18n.js";

// A phase step is named from its question and phase ("Q1 · Collecting proposals"); breaks and the
// closing block carry their own titles in each language.
export function stepTitle(step, language) {
  if (!step) return "";
  if (step.kind === "phase") {
    return t("show.phaseStep", { number: step.question_order ?? "?", phase: t(`state.${step.phase}`) });
  }
  const title = step.title ?? {};
  return title[language] || title.en || Object.values(title).find(Boolean) || t(`show.kind.${step.kind}`);
}

export function currentIndex(show) {
  return show && (show.state === "running" || show.state === "paused") && Number.isInteger(show.current)
    ? show.current
    : null;
}

export function currentStep(show) {
  const index = currentIndex(show);
  return index === null ? null : (show.steps[index] ?? null);
}

// The step that comes after the current one; before the start, the first. (Going back undoes the step
// that was running, so the steps after the current one are always still to come.)
export function nextStep(show) {
  if (!show || show.state === "finished") return null;
  const from = show.state === "planned" ? 0 : (currentIndex(show) ?? -1) + 1;
  return show.steps[from] ?? null;
}

// Seconds left in the current step: counted down while running, frozen while paused.
export function stepSecondsLeft(show) {
  if (show?.state === "running") return secondsLeft(show.step_ends_at);
  if (show?.state === "paused") return show.paused_remaining ?? null;
  return null;
}

function stepLength(step) {
  return (step.planned_seconds ?? 0) + (step.extended_seconds ?? 0);
}

// Seconds the steps after `after` take, as planned (as the server counts them).
function restSeconds(show, after) {
  return show.steps.slice(after + 1).reduce((total, step) => total + (step.planned_seconds ?? 0), 0);
}

// When the plan ends if followed from now (ms since the epoch), or null when it has ended. The server
// says so at each change (`projected_end`); a pause, or a start that is late, moves it on with the
// clock, so it is counted here from the same fields, as the server counts it.
export function projectedEnd(show) {
  if (!show || show.state === "finished") return null;
  const now = serverNow();
  if (show.state === "running") {
    const stepEnd = Date.parse(show.step_ends_at);
    return Number.isNaN(stepEnd) ? Date.parse(show.projected_end) : stepEnd + restSeconds(show, show.current) * 1000;
  }
  if (show.state === "paused") return now + ((show.paused_remaining ?? 0) + restSeconds(show, show.current)) * 1000;
  const start = Math.max(Date.parse(show.planned_start ?? "") || now, now);
  return start + restSeconds(show, -1) * 1000;
}

// As the server's RUN_OF_SHOW_REBASE (deliberation/selectors.py): a session started further than this
// from its planned start is measured against its planned length from the start, not the planned date.
const REBASE_MS = 6 * 3600 * 1000;

// The planned end the plan is measured against (ms since the epoch), or NaN when there is none. Before
// the start, a planned start long past (a rehearsal, a seed replayed) counts from now, as the server
// will count it from the start.
export function plannedEnd(show) {
  const end = Date.parse(show?.planned_end ?? "");
  const start = Date.parse(show?.planned_start ?? "");
  if (show?.state !== "planned" || Number.isNaN(end) || Number.isNaN(start)) return end;
  const now = serverNow();
  return now - start > REBASE_MS ? now + (end - start) : end;
}

// How many seconds the plan runs past the planned end (0 when it fits, or when there is no planned end).
export function overrunSeconds(show) {
  const end = projectedEnd(show);
  const planned = plannedEnd(show);
  if (end === null || Number.isNaN(planned)) return 0;
  return Math.max(0, Math.round((end - planned) / 1000));
}

// Whole minutes, rounded up: a plan 20 s over is "1 minute" over, never "0 minutes".
export function minutesOf(seconds) {
  return Math.ceil(Math.max(0, seconds) / 60);
}

// A time of day in the roundtable's time zone, on the 24-hour clock of the printed programme ("9:55",
// "11:25"), in every language (an unknown zone falls back to the device's).
export function clockTime(iso, { language, timeZone }) {
  const at = typeof iso === "number" ? iso : Date.parse(iso ?? "");
  if (Number.isNaN(at)) return "";
  const options = { hour: "numeric", minute: "2-digit", hourCycle: "h23" };
  try {
    return new Intl.DateTimeFormat(language, { ...options, timeZone }).format(at);
  } catch {
    return new Intl.DateTimeFormat(language, options).format(at);
  }
}

// "Next: Q1 · Voting (5 min)", or that the session ends after this step.
export function nextLine(show, language) {
  const next = nextStep(show);
  if (!next) return t("show.nextEnd");
  return tn("show.nextFor", minutesOf(stepLength(next)), { step: stepTitle(next, language) });
}

// "8:12" left in the step, "Paused · 8:12", or "Time is up" when the server has yet to move on.
export function stepClock(show) {
  const left = stepSecondsLeft(show);
  if (left === null) return "";
  if (show.state === "paused") return t("show.pausedLeft", { time: formatSeconds(left) });
  return left > 0 ? t("endsIn", { time: formatSeconds(left) }) : t("timeUp");
}

// What changed that people should hear about: the step or the show's state (not every second).
export function showKey(show) {
  return show ? `${show.state}:${show.current ?? ""}` : "";
}

// A question as its countdown reads it: its own, or else the running show's, when the step now is one of
// its phases (a phase followed by a break or another question gives the question no countdown of its
// own, yet the room should see the time left where it always looks).
export function withShowClock(question, show) {
  if (!question || question.phase_ends_at || show?.state !== "running") return question;
  const step = currentStep(show);
  if (step?.kind !== "phase" || step.question !== question.id || step.phase !== question.state) return question;
  return { ...question, phase_ends_at: show.step_ends_at };
}
