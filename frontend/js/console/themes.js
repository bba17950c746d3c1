// A theme a moderator can open: its proposals, and the curation controls (rename, lock, merge into
// another, split some off, move one in). Closed by default, so the room pane stays a list.
import { themeLabel } from "../analysis.js";
import { element } from "../dom.js";
import { t } from "../i18n.js";
import { inlineForm } from "./actions.js";
import { ctx, run } from "./shared.js";

// Themes opened by the moderator ("question:number"), kept open across redraws.
export const openThemes = new Set();
// The theme whose controls a moderator last worked in ({question, number}), while focus stays in the
// themes: when its list is rebuilt under them (or their form closes), focus goes back to that theme.
export const focus = { lastTheme: null };

function proposalLabel(id) {
  const proposal = ctx.state.proposals.get(id);
  return proposal ? `#${id} ${proposal.text.slice(0, 60)}` : `#${id}`;
}

// A theme's name in a list of choices, "(machine translation)" after it when the server made it.
function themeOption(theme) {
  const label = themeLabel(theme, ctx.config.language);
  return label.machine ? `${label.text} (${t("themeMachine")})` : label.text;
}

function selectOf(label, options, { multiple = false } = {}) {
  const id = `select-${Math.random().toString(36).slice(2)}`;
  const select = element("select", { id, multiple }, ...options.map(([value, text]) => element("option", { value: String(value) }, text)));
  return [element("label", { for: id }, label), select];
}

function control(label, select, button) {
  return element("span", { class: "control", "data-error-host": "" }, label, select, button);
}

export function themeControls(questionId, themes) {
  return (theme) => {
    const key = `${questionId}:${theme.number}`;
    // Unsorted proposals are not a theme to merge into: move them in one by one instead.
    const others = themes.filter((other) => other.number !== theme.number && !other.unsorted);
    const outside = [...ctx.state.proposals.values()].filter(
      (proposal) => proposal.question === questionId && proposal.status === "visible" && !theme.proposals.includes(proposal.id),
    );
    const controls = element("div", { class: "theme-controls moderation-actions", "data-error-host": "" });
    const rename = element("button", { type: "button" }, t("rename"));
    rename.addEventListener("click", () => {
      const field = element("input", { type: "text", maxlength: "120", value: theme.name ?? "" });
      inlineForm(controls, {
        label: t("themeName", { number: theme.number }),
        field,
        submitLabel: t("save"),
        onSubmit: (name, input) => run("theme.rename", { question: questionId, theme: theme.number, name }, { anchor: input }),
      });
    });
    const lock = element("button", { type: "button", "aria-pressed": theme.locked ? "true" : "false" }, theme.locked ? t("unlock") : t("lock"));
    lock.addEventListener("click", () => run("theme.lock", { question: questionId, theme: theme.number, locked: !theme.locked }, { anchor: controls }));
    controls.append(rename, lock);
    if (!theme.locked && others.length) {
      const [label, select] = selectOf(t("mergeTheme"), others.map((other) => [other.number, `${t("themeNumber", { number: other.number })}: ${themeOption(other)}`]));
      const go = element("button", { type: "button" }, t("mergeGo"));
      go.addEventListener("click", () => run("theme.merge", { question: questionId, theme: theme.number, into: Number(select.value) }, { anchor: select }));
      controls.append(control(label, select, go));
    }
    if (!theme.locked && theme.proposals.length > 1) {
      const [label, select] = selectOf(t("splitOff"), theme.proposals.map((id) => [id, proposalLabel(id)]), { multiple: true });
      const go = element("button", { type: "button" }, t("splitGo"));
      go.addEventListener("click", () => {
        const chosen = [...select.selectedOptions].map((option) => Number(option.value));
        run("theme.split", { question: questionId, theme: theme.number, proposals: chosen }, { anchor: select });
      });
      controls.append(control(label, select, go));
    }
    if (!theme.locked && outside.length) {
      const [label, select] = selectOf(t("moveTo"), outside.map((proposal) => [proposal.id, proposalLabel(proposal.id)]));
      const go = element("button", { type: "button" }, t("moveGo"));
      go.addEventListener("click", () => run("proposal.move", { proposal: Number(select.value), theme: theme.number }, { anchor: select }));
      controls.append(control(label, select, go));
    }
    const members = element(
      "ul",
      { class: "theme-members" },
      ...theme.proposals.map((id) => {
        const proposal = ctx.state.proposals.get(id);
        return element("li", {}, `#${id} `, proposal ? element("span", { lang: proposal.language }, proposal.text) : "");
      }),
    );
    const details = element(
      "details",
      { class: "theme-open", open: openThemes.has(key) },
      element("summary", {}, t("themeOpen")),
      members,
      controls,
    );
    details.addEventListener("toggle", () => {
      if (details.open) openThemes.add(key);
      else openThemes.delete(key);
    });
    details.addEventListener("focusin", () => {
      focus.lastTheme = { question: questionId, number: theme.number };
    });
    return details;
  };
}

// The unsorted proposals, opened like a theme: a moderator reads them here and puts one into a theme
// with that theme's "move a proposal here" control.
export function unsortedMembers(questionId) {
  return (ids) => {
    const key = `${questionId}:unsorted`;
    const details = element(
      "details",
      { class: "theme-open", open: openThemes.has(key) },
      element("summary", {}, t("themeOpen")),
      element(
        "ul",
        { class: "theme-members" },
        ...ids.map((id) => {
          const proposal = ctx.state.proposals.get(id);
          return element("li", {}, `#${id} `, proposal ? element("span", { lang: proposal.language }, proposal.text) : "");
        }),
      ),
    );
    details.addEventListener("toggle", () => (details.open ? openThemes.add(key) : openThemes.delete(key)));
    return details;
  };
}
