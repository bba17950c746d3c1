// Countdowns follow the server's clock, not the device's: the snapshot carries the server's time, and
// the difference is applied to every deadline. The server alone ends a phase; screens only show it.
import { t } from "./i18n.js";

let offsetMs = 0;

export function syncClock(serverNowIso) {
  if (serverNowIso) offsetMs = Date.parse(serverNowIso) - Date.now();
}

// The server's time now (ms since the epoch), as this device best knows it.
export function serverNow() {
  return Date.now() + offsetMs;
}

export function secondsLeft(deadlineIso) {
  if (!deadlineIso) return null;
  return Math.max(0, Math.round((Date.parse(deadlineIso) - (Date.now() + offsetMs)) / 1000));
}

export function formatSeconds(total) {
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = String(total % 60).padStart(2, "0");
  return hours ? `${hours}:${String(minutes).padStart(2, "0")}:${seconds}` : `${minutes}:${seconds}`;
}

// Fills `target` with the time left of a question's countdown; empty when it has none.
export function showCountdown(target, question) {
  const left = secondsLeft(question?.phase_ends_at);
  if (left === null) {
    target.textContent = "";
    target.hidden = true;
    return;
  }
  target.hidden = false;
  target.textContent = left > 0 ? t("endsIn", { time: formatSeconds(left) }) : t("timeUp");
}

// Every second, each question's countdown in its section (a map of question id to section element).
export function tickCountdowns(questions, sections) {
  setInterval(() => {
    for (const question of questions()) {
      const section = sections.get(question.id);
      if (section) showCountdown(section.querySelector("[data-role=countdown]"), question);
    }
  }, 1000);
}
