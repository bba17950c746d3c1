// Room checks on the participant's screen: a moderator puts a draft conclusion to the room; each person
// agrees, disagrees or passes, and sees the room's answer. And the link to the published document.
import { element } from "./dom.js";
import { t } from "./i18n.js";

const CHOICES = ["agree", "disagree", "pass"];

export function renderChecks(container, { statements, questions, onRespond, translations }) {
  const list = container.querySelector("[data-role=checks]");
  const shown = [...statements.values()].sort((a, b) => a.question - b.question || a.number - b.number);
  container.hidden = shown.length === 0;
  const focused = document.activeElement?.closest?.("[data-statement]");
  const focusKey = focused ? [focused.dataset.statement, document.activeElement.dataset.choice] : null;
  list.replaceChildren(
    ...shown.map((statement) => {
      const open = statement.state === "open";
      const order = questions.get(statement.question)?.order;
      const buttons = element("div", { class: "vote-buttons", role: "group", "aria-label": t("checkRespond") });
      for (const choice of CHOICES) {
        const button = element(
          "button",
          {
            type: "button",
            class: `vote vote-${choice}`,
            "aria-pressed": statement.my_response === choice ? "true" : "false",
            disabled: !open,
            dataset: { choice },
          },
          `${t(choice)} `,
          element("span", { class: "count" }, String(statement.tally[choice])),
        );
        button.addEventListener("click", () => onRespond(statement.id, choice));
        buttons.append(button);
      }
      return element(
        "li",
        { class: "check-item", id: `check-${statement.id}`, dataset: { statement: String(statement.id) } },
        element("p", { class: "hint" }, t("checkOf", { number: statement.number, order }), " · ", open ? t("checkOpen") : t("checkClosed")),
        ...checkText(statement, translations),
        buttons,
      );
    }),
  );
  if (focusKey) list.querySelector(`[data-statement="${focusKey[0]}"] [data-choice=${focusKey[1]}]`)?.focus();
}

// A room check in the phone's language when moderators wrote it or a machine translated it (marked as
// such until a moderator reviewed it); else as written, saying in which language.
function checkText(statement, translations) {
  const language = translations.language;
  const own = statement.texts?.[language];
  if (!statement.language || statement.language === language) return translations.render(statement, { tag: "blockquote", textClass: "check-text" });
  if (own) {
    const unreviewed = own.machine && !own.reviewed_at;
    const mark = unreviewed ? t(`machineTranslated.${statement.language}`) : t(`translatedFrom.${statement.language}`);
    return translations.renderTranslated(statement, { text: own.text, machine: unreviewed }, mark, { tag: "blockquote", textClass: "check-text" });
  }
  return [
    ...translations.render(statement, { tag: "blockquote", textClass: "check-text" }),
    element("p", { class: "translation-note", dataset: { role: "check-mark" } }, t(`writtenIn.${statement.language}`)),
  ];
}

export function renderPublished(container, publications) {
  const latest = publications.at(-1);
  container.hidden = !latest;
  if (!latest) return;
  container.replaceChildren(
    element("p", {}, t("documentPublished", { version: latest.version }), " ", element("a", { href: latest.url }, t("documentRead"))),
  );
}
