// The room pane: who is connected (by actor type), the balance of participation, and the open question's
// themes and opinion groups.
import { renderBalance, renderOpinionMap, renderThemes } from "../analysis.js";
import { t } from "../i18n.js";
import { focus, themeControls, unsortedMembers } from "./themes.js";
import { actorTypeName, ctx } from "./shared.js";

const rooms = new Map();
for (const room of document.querySelectorAll(".room-question")) rooms.set(Number(room.dataset.questionId), room);

export function selectRoom(questionId) {
  for (const [id, room] of rooms) room.hidden = id !== questionId;
}

function breakdown(byActorType) {
  return Object.entries(byActorType ?? {})
    .map(([key, count]) => t("countOf", { name: actorTypeName(key), count }))
    .join(", ");
}

// One line for the people in the room: connected now out of those who joined (the page's only count
// of participants), by actor type; then staff and screens.
export function renderPresence() {
  const target = document.getElementById("presence");
  const joined = ctx.state?.participants.total ?? 0;
  const people = ctx.presence?.connected ?? { total: 0, by_actor_type: {} };
  const parts = [`${t("presenceOf", { count: people.total, joined })}${people.total ? ` (${breakdown(people.by_actor_type)})` : ""}.`];
  if (ctx.presence) parts.push(t("presenceStaff", { count: ctx.presence.staff, watchers: ctx.presence.watchers }));
  target.textContent = parts.join(" ");
  for (const id of rooms.keys()) renderQuestionPresence(id);
}

function renderQuestionPresence(questionId) {
  const target = document.querySelector(`section.console-question[data-question-id="${questionId}"] [data-role=presence]`);
  if (!target) return;
  const here = ctx.presence?.by_question?.[String(questionId)];
  target.textContent = here ? `${t("presenceQuestion", { count: here.total })} (${breakdown(here.by_actor_type)})` : "";
}

export function renderRoomBalance() {
  renderBalance(document.getElementById("balance"), { balance: ctx.state.balance, actorTypes: ctx.config.actorTypes });
}

// Questions whose theme list changed while a moderator was working in it: rebuilt once they leave it.
const themesStale = new Set();
document.addEventListener("focusin", (focusEvent) => {
  if (!focusEvent.target.closest?.("[data-role=themes]")) focus.lastTheme = null;
});
export function renderStaleThemes() {
  // After the focus has moved (focusout fires before the new element has it; a removed form fires none).
  setTimeout(() => {
    for (const questionId of [...themesStale]) renderAnalysis(questionId);
  }, 0);
}
document.addEventListener("focusout", renderStaleThemes);

export function renderAnalysis(questionId) {
  const room = rooms.get(questionId);
  if (!room) return;
  const themesList = room.querySelector("[data-role=themes]");
  // Don't rebuild the controls under someone choosing in them.
  if (themesList.contains(document.activeElement) && document.activeElement !== document.body) {
    themesStale.add(questionId);
  } else {
    themesStale.delete(questionId);
    const themes = ctx.state.themes.get(questionId) ?? [];
    renderThemes(themesList, {
      themes,
      proposals: ctx.state.proposals,
      language: ctx.config.language,
      controls: themeControls(questionId, themes),
      unsortedControls: unsortedMembers(questionId),
      idPrefix: `q${questionId}-`,
    });
    // A keyboard user whose form just closed lands back on the same theme, not at the page's top.
    const last = focus.lastTheme;
    if (last?.question === questionId && document.activeElement === document.body) {
      const theme = themesList.querySelector(`#q${questionId}-theme-${last.number}`);
      (theme?.querySelector(".theme-controls button") ?? theme?.querySelector("summary"))?.focus();
    }
    room.querySelector("[data-role=themes-empty]").hidden = themes.length > 0;
  }
  renderOpinionMap(room.querySelector("[data-role=opinions]"), {
    opinions: ctx.state.opinions.get(questionId) ?? null,
    myKey: null,
    proposals: ctx.state.proposals,
    actorTypes: ctx.config.actorTypes,
  });
}
