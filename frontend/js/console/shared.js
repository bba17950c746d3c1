// What every pane of the moderator console shares: the page's config, the live state and presence, the
// connection, and the one way to send a command (its error shown next to the control that sent it).
import { t, errorText } from "../i18n.js";
import { clearError, showError } from "./errors.js";

export const ctx = {
  config: null,
  state: null,
  presence: null,
  connection: null,
  translations: null,
  // Filled by moderate.js: redraw what shows one proposal (after a translation, say).
  redrawProposal: () => {},
};

export function actorTypeName(key) {
  return ctx.config.actorTypes[key] ?? key;
}

export function tallyLine(tally) {
  return t("tally", { agree: tally.agree, disagree: tally.disagree, pass: tally.pass });
}

export function announce(message) {
  const announcer = document.getElementById("announcer");
  // A repeated message is announced again: empty it first.
  announcer.textContent = "";
  requestAnimationFrame(() => {
    announcer.textContent = message;
  });
}

// Send one command; on success announce `done` and clear the control's error; on failure show the
// server's (translated) message next to `anchor` (the control, its form or its group) and announce it.
export async function run(type, fields, { anchor = null, done = t("done") } = {}) {
  const where = anchor ?? document.activeElement;
  try {
    const ack = await ctx.connection.command(type, fields);
    clearError(where);
    if (done) announce(done);
    ctx.afterCommand?.();
    return ack ?? true;
  } catch (error) {
    showError(where, errorText(error));
    return false;
  }
}

export function questionOrder(questionId) {
  return ctx.config.questionTexts[String(questionId)]?.order;
}
