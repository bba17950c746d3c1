// The run of show on the projector and the phone: what comes next, always; the step now only where the
// question's phase and countdown do not already say it (a break, the closing; a running phase of a
// question on screen has its time left in the question's countdown, show.js withShowClock, and a paused
// one says only "Paused · 4:12 left", never its phase twice); before the start, when it starts; at the
// end, that it ended. On the projector it sits in the head under the question's status (the columns fit
// around it); on the phone, one compact line under the chips.
import { serverNow } from "./clock.js";
import { clockTime, currentStep, nextLine, stepClock, stepTitle } from "./show.js";
import { t } from "./i18n.js";

// `shown(step)`: the step's question is on screen in the step's phase, with its status and countdown.
export function renderShowLine(box, show, { shown, language, timeZone }) {
  const now = box.querySelector("[data-role=show-now]");
  const next = box.querySelector("[data-role=show-next]");
  box.hidden = !show;
  if (!show) return;
  box.dataset.state = show.state;
  if (show.state === "planned" || show.state === "finished") {
    now.hidden = true;
    // Before the start, its time, while it is still ahead (a late start says nothing rather than a past time).
    const ahead = show.state === "planned" && Date.parse(show.planned_start ?? "") > serverNow();
    const start = ahead ? clockTime(show.planned_start, { language, timeZone }) : "";
    next.textContent = show.state === "finished" ? t("show.finished") : start ? t("show.startsAt", { time: start }) : "";
    box.hidden = !next.textContent;
    return;
  }
  const step = currentStep(show);
  // A phase of the question on screen is already said by the question's own status ("Voting"), and
  // while it runs, its time left by the question's countdown: the line never says the phase a second
  // time. Paused, it says only what the status cannot: the pause and the time the step keeps.
  const saidByQuestion = step?.kind === "phase" && shown(step);
  now.hidden = !step || (show.state === "running" && saidByQuestion);
  now.dataset.kind = step?.kind ?? "";
  const title = now.querySelector("[data-role=step-title]");
  title.textContent = saidByQuestion ? "" : stepTitle(step, language);
  title.hidden = saidByQuestion;
  tickShowLine(box, show);
  next.textContent = nextLine(show, language);
}

export function tickShowLine(box, show) {
  const clock = box.querySelector("[data-role=step-countdown]");
  clock.textContent = show ? stepClock(show) : "";
  clock.hidden = !clock.textContent;
}
