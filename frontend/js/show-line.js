// The run of show on the projector and the phone: what comes next, always; the step now only where the
// question's own phase and countdown do not already say it (a break, the closing, a pause, a phase
// whose question has no countdown of its own: then only the time left); before the start, when it
// starts; at the end, that it ended. On the projector it sits in the head under the
// question's status (the columns fit around it); on the phone, one compact line under the chips.
import { serverNow } from "./clock.js";
import { clockTime, currentStep, nextLine, stepClock, stepTitle } from "./show.js";
import { t } from "./i18n.js";

// `shown(step)`: the step's question is on screen with its phase; `counted(step)`: with its countdown too.
export function renderShowLine(box, show, { shown, counted, language, timeZone }) {
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
  // A phase whose question is on screen says itself; with its countdown, nothing is left to add (unless
  // paused). Without one (the next step is a break or another question), the step's countdown is added.
  const phaseShown = show.state === "running" && step?.kind === "phase" && shown(step);
  now.hidden = !step || (phaseShown && counted(step));
  now.dataset.kind = step?.kind ?? "";
  const title = now.querySelector("[data-role=step-title]");
  title.textContent = stepTitle(step, language);
  title.hidden = phaseShown;
  tickShowLine(box, show);
  next.textContent = nextLine(show, language);
}

export function tickShowLine(box, show) {
  const clock = box.querySelector("[data-role=step-countdown]");
  clock.textContent = show ? stepClock(show) : "";
  clock.hidden = !clock.textContent;
}
