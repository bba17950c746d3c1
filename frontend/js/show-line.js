// The run of show on the projector and the phone: what comes next, always; the step now only where the
// question's own phase and countdown do not already say it (a break, the closing, a pause); before the
// start, when it starts; at the end, that it ended. On the projector it sits in the head under the
// question's status (the columns fit around it); on the phone, one compact line under the chips.
import { clockTime, currentStep, nextLine, stepClock, stepTitle } from "./show.js";
import { t } from "./i18n.js";

export function renderShowLine(box, show, { covered, language, timeZone }) {
  const now = box.querySelector("[data-role=show-now]");
  const next = box.querySelector("[data-role=show-next]");
  box.hidden = !show;
  if (!show) return;
  box.dataset.state = show.state;
  if (show.state === "planned" || show.state === "finished") {
    now.hidden = true;
    const start = show.state === "planned" ? clockTime(show.planned_start, { language, timeZone }) : "";
    next.textContent = show.state === "finished" ? t("show.finished") : start ? t("show.startsAt", { time: start }) : "";
    box.hidden = !next.textContent;
    return;
  }
  const step = currentStep(show);
  // A phase whose question is on screen with its countdown is already said (unless paused).
  const said = show.state === "running" && step?.kind === "phase" && covered(step);
  now.hidden = !step || said;
  now.dataset.kind = step?.kind ?? "";
  now.querySelector("[data-role=step-title]").textContent = stepTitle(step, language);
  tickScreenShow(box, show);
  next.textContent = nextLine(show, language);
}

export function tickShowLine(box, show) {
  const clock = box.querySelector("[data-role=step-countdown]");
  clock.textContent = show ? stepClock(show) : "";
  clock.hidden = !clock.textContent;
}
