// An open room check on the projector: the statement a moderator put to the room and its answers so
// far, as bars with counts and shares; it follows every answer live and leaves when it closes.
import { element } from "./dom.js";
import { t, tn } from "./i18n.js";

const CHOICES = ["agree", "disagree", "pass"];

// The open check of the question on screen (the newest if several), else any open check.
export function openCheck(statements, question) {
  const open = [...statements.values()].filter((statement) => statement.state === "open");
  const mine = open.filter((statement) => question && statement.question === question.id);
  const pool = mine.length ? mine : open;
  return pool.sort((a, b) => b.number - a.number)[0] ?? null;
}

// In the screen's language when moderators wrote it or a machine translated it, else as written; in
// either case a line under it says which (as on the phones), so the room knows a machine wrote it.
export function checkMark(statement, language) {
  if (!statement.language || statement.language === language) return "";
  const own = statement.texts?.[language];
  if (!own) return t(`writtenIn.${statement.language}`);
  return own.machine && !own.reviewed_at ? t(`machineTranslated.${statement.language}`) : t(`translatedFrom.${statement.language}`);
}

export function renderCheck(section, statement, language) {
  section.hidden = !statement;
  if (!statement) return;
  section.dataset.statement = String(statement.id);
  section.querySelector("#check-heading").textContent = t("checkHeading", { number: statement.number });
  const quote = section.querySelector("[data-role=check-text]");
  const own = statement.language !== language ? statement.texts?.[language] : null;
  quote.textContent = own ? own.text : statement.text;
  quote.lang = own ? language : statement.language || "";
  const mark = section.querySelector("[data-role=check-mark]");
  mark.textContent = checkMark(statement, language);
  mark.hidden = !mark.textContent;
  const total = CHOICES.reduce((sum, choice) => sum + (statement.tally[choice] ?? 0), 0);
  section.querySelector("[data-role=check-tally]").replaceChildren(
    ...CHOICES.map((choice) => {
      const count = statement.tally[choice] ?? 0;
      const share = total ? Math.round((100 * count) / total) : 0;
      const bar = element("span", { class: `check-bar check-${choice}`, "aria-hidden": "true" });
      bar.style.width = `${share}%`;
      return element(
        "li",
        { dataset: { choice } },
        element("span", { class: "check-label" }, t(choice)),
        element("span", { class: "check-count", dataset: { role: "count" } }, String(count)),
        element("span", { class: "check-share" }, t("checkShare", { share })),
        element("span", { class: "check-track", "aria-hidden": "true" }, bar),
      );
    }),
  );
  section.querySelector("[data-role=check-total]").textContent = tn("checkAnswers", total);
}
