// Drafting a question's conclusions in the moderator console: a Markdown editor that saves versions
// (merged on the server when two moderators saved from the same version, refused with marked lines when
// they changed the same ones), a preview whose citations show the cited text and support, a coverage
// panel of what the draft does not cite yet, commitments, and room checks.
import { element } from "./dom.js";
import { t, errorText } from "./i18n.js";
import { clearError, showError } from "./console/errors.js";

const CITATION = /\[(?:#(\d{1,12})|theme:(\d{1,9})|check:(\d{1,9}))\]/g;

export function citationsIn(text) {
  const found = { proposals: new Set(), themes: new Set(), checks: new Set() };
  for (const match of text.matchAll(CITATION)) {
    if (match[1]) found.proposals.add(Number(match[1]));
    else if (match[2]) found.themes.add(Number(match[2]));
    else found.checks.add(Number(match[3]));
  }
  return found;
}

// The Markdown heading a caret position falls under: "who is editing which section".
export function sectionAt(text, position) {
  let heading = "";
  for (const line of text.slice(0, position).split("\n")) {
    const match = /^#{1,6}\s+(.*)$/.exec(line);
    if (match) heading = match[1].trim();
  }
  return heading.slice(0, 120);
}

// Coverage: the share of agree votes on proposals cited directly or through their theme, and the
// share of themes cited directly or through one of their proposals (as the published document counts).
export function coverage(state, questionId, cited) {
  const proposals = [...state.proposals.values()].filter((p) => p.question === questionId && p.status === "visible");
  const themes = state.themes.get(questionId) ?? [];
  const covered = new Set([...cited.proposals].filter((id) => proposals.some((p) => p.id === id)));
  for (const theme of themes) if (cited.themes.has(theme.number)) for (const id of theme.proposals) covered.add(id);
  const agreeOf = (p) => p.tally?.agree ?? 0;
  const total = proposals.reduce((sum, p) => sum + agreeOf(p), 0);
  const citedAgree = proposals.filter((p) => covered.has(p.id)).reduce((sum, p) => sum + agreeOf(p), 0);
  const themesCovered = themes.filter((theme) => cited.themes.has(theme.number) || theme.proposals.some((id) => covered.has(id)));
  const consensus = new Set((state.opinions.get(questionId)?.consensus ?? []).map((item) => item.proposal));
  const uncited = proposals.filter((p) => !covered.has(p.id));
  return {
    support: total ? Math.round((citedAgree / total) * 100) : null,
    themesCited: themesCovered.length,
    themesTotal: themes.length,
    topUncited: uncited.filter((p) => agreeOf(p) > 0).sort((a, b) => agreeOf(b) - agreeOf(a) || a.id - b.id).slice(0, 5),
    consensusUncited: uncited.filter((p) => consensus.has(p.id)),
  };
}

export class DraftPanel {
  constructor(section, questionId, { run, connection, getState, actorTypes, config, onEditing }) {
    this.section = section;
    this.questionId = questionId;
    this.run = run;
    this.connection = connection;
    this.getState = getState;
    this.actorTypes = actorTypes;
    this.config = config;
    this.onEditing = onEditing;
    this.root = section.querySelector("[data-role=drafting]");
    this.editor = this.root.querySelector("textarea[data-role=draft-text]");
    this.status = this.root.querySelector("[data-role=draft-status]");
    this.preview = this.root.querySelector("[data-role=draft-preview]");
    this.base = 0;
    this.dirty = false;
    this.editor.maxLength = config.draftMaxChars;
    this.editor.addEventListener("input", () => {
      this.dirty = true;
      this.renderStatus();
      this.renderCoverage();
      this.reportEditing();
    });
    for (const name of ["keyup", "click", "focus"]) this.editor.addEventListener(name, () => this.reportEditing());
    this.editor.addEventListener("blur", () => this.onEditing(null));
    this.root.querySelector("[data-role=draft-save]").addEventListener("click", () => this.save());
    this.root.querySelector("[data-role=commitment-form]").addEventListener("submit", (submitEvent) => {
      submitEvent.preventDefault();
      this.addCommitment(submitEvent.target);
    });
    this.root.querySelector("[data-role=check-form]").addEventListener("submit", (submitEvent) => {
      submitEvent.preventDefault();
      this.putStatement(submitEvent.target);
    });
  }

  reportEditing() {
    this.onEditing({ question: this.questionId, section: sectionAt(this.editor.value, this.editor.selectionStart) });
  }

  // A new draft arrived (a snapshot, or someone's save): take it unless this moderator has unsaved
  // changes, which their next save merges with it on the server.
  render() {
    const state = this.getState();
    const draft = state.drafts?.get(this.questionId);
    if (!draft) return;
    // Without unsaved changes the editor shows the latest version, even when this moderator's own
    // save was merged on the server and its event arrives after the ack.
    if (!this.dirty) {
      if (this.editor.value !== draft.text) this.editor.value = draft.text;
      this.base = draft.version;
    }
    this.latest = draft;
    this.renderPreview(draft);
    this.renderStatus();
    this.renderCoverage();
    this.renderCommitments();
    this.renderChecks();
  }

  renderStatus() {
    const draft = this.latest;
    const parts = [];
    if (draft && draft.version) parts.push(t("draftVersion", { version: draft.version, name: draft.author ?? "?" }));
    if (draft && draft.version > this.base) parts.push(t("draftNewer", { version: draft.version }));
    if (this.dirty) parts.push(t("draftUnsaved"));
    this.status.textContent = parts.join(" · ");
  }

  renderPreview(draft) {
    const state = this.getState();
    const holder = element("div", { class: "conclusions" });
    // Sanitised on the server (markdown-it without raw HTML, then nh3): the text only, never a script.
    holder.innerHTML = draft.html;
    const cards = [];
    for (const link of holder.querySelectorAll("a.citation[data-cite]")) {
      const [kind, number] = link.dataset.cite.split(":");
      const id = Number(number);
      if (kind === "proposal") {
        const proposal = state.proposals.get(id);
        if (!proposal || proposal.status !== "visible") {
          link.replaceWith(element("span", { class: "citation citation-missing" }, t("citationMissing", { source: `#${id}` })));
          continue;
        }
        link.textContent = `#${id}`;
        link.setAttribute("href", `#draft-${this.questionId}-proposal-${id}`);
        if (!cards.includes(id)) cards.push(id);
      } else if (kind === "theme") {
        const theme = (state.themes.get(this.questionId) ?? []).find((item) => item.number === id);
        if (!theme) {
          link.replaceWith(element("span", { class: "citation citation-missing" }, t("citationMissing", { source: `theme:${id}` })));
          continue;
        }
        link.textContent = t("themeNumber", { number: id });
        link.setAttribute("href", `#q${this.questionId}-theme-${id}`);
      } else {
        const check = [...state.statements.values()].find((item) => item.question === this.questionId && item.number === id);
        if (!check) {
          link.replaceWith(element("span", { class: "citation citation-missing" }, t("citationMissing", { source: `check:${id}` })));
          continue;
        }
        link.textContent = t("checkNumber", { number: id });
        link.setAttribute("href", `#q${this.questionId}-check-${id}`);
      }
    }
    const cited = cards.map((id) => {
      const proposal = state.proposals.get(id);
      return element(
        "li",
        { id: `draft-${this.questionId}-proposal-${id}` },
        element("p", {}, element("strong", {}, `#${id}`), " · ", t(`writtenIn.${proposal.language}`), " · ", this.actorTypes[proposal.author.actor_type] ?? proposal.author.actor_type),
        element("blockquote", { lang: proposal.language }, proposal.text),
        element("p", {}, proposal.tally ? t("tally", proposal.tally) : t("talliesHidden")),
      );
    });
    this.preview.replaceChildren(
      draft.html ? holder : element("p", { class: "hint" }, t("draftEmpty")),
      cited.length ? element("h5", {}, t("citedProposals")) : "",
      cited.length ? element("ul", { class: "cited" }, ...cited) : "",
    );
  }

  renderCoverage() {
    const state = this.getState();
    const result = coverage(state, this.questionId, citationsIn(this.editor.value));
    const figure = this.root.querySelector("[data-role=coverage-figure]");
    figure.textContent = t("coverageFigure", {
      support: result.support === null ? "—" : `${result.support} %`,
      cited: result.themesCited,
      total: result.themesTotal,
    });
    const item = (proposal) => {
      const insert = element("button", { type: "button" }, t("cite", { id: proposal.id }));
      insert.addEventListener("click", () => this.insert(`[#${proposal.id}]`));
      return element("li", {}, element("q", { lang: proposal.language }, proposal.text), " ", element("span", { class: "hint" }, proposal.tally ? t("tally", proposal.tally) : ""), " ", insert);
    };
    this.root.querySelector("[data-role=uncited-top]").replaceChildren(...result.topUncited.map(item));
    this.root.querySelector("[data-role=uncited-consensus]").replaceChildren(...result.consensusUncited.map(item));
    this.root.querySelector("[data-role=uncited-top-empty]").hidden = result.topUncited.length > 0;
    this.root.querySelector("[data-role=uncited-consensus-empty]").hidden = result.consensusUncited.length > 0;
  }

  insert(text) {
    const { selectionStart: start, selectionEnd: end, value } = this.editor;
    this.editor.value = `${value.slice(0, start)}${text}${value.slice(end)}`;
    this.editor.focus();
    this.editor.setSelectionRange(start + text.length, start + text.length);
    this.dirty = true;
    this.renderStatus();
    this.renderCoverage();
  }

  async save() {
    const text = this.editor.value;
    try {
      const ack = await this.connection.command("draft.save", { question: this.questionId, base_version: this.base, text });
      this.base = ack.result.version;
      this.dirty = this.editor.value !== text;
      if (ack.result.merged) {
        // The server merged in what others saved meanwhile: show the merged text.
        const draft = this.getState().drafts?.get(this.questionId);
        if (draft && draft.version === this.base && !this.dirty) this.editor.value = draft.text;
      }
      this.renderStatus();
      clearError(this.editor);
      this.announce(ack.result.merged ? t("draftMerged", { version: ack.result.version }) : t("draftSaved", { version: ack.result.version }));
    } catch (error) {
      if (error.code === "draft_conflict" && error.details) {
        this.editor.value = error.details.merged;
        this.base = error.details.version;
        this.dirty = true;
        this.renderStatus();
        this.editor.focus();
      }
      showError(this.editor, errorText(error));
    }
  }

  renderCommitments() {
    const items = this.getState().commitments?.get(this.questionId) ?? [];
    const list = this.root.querySelector("[data-role=commitments]");
    list.replaceChildren(
      ...items.map((item) => {
        const remove = element("button", { type: "button" }, t("remove"));
        remove.addEventListener("click", () => this.run("commitment.remove", { commitment: item.id }, { anchor: remove }));
        const who = [item.actor_type ? this.actorTypes[item.actor_type] ?? item.actor_type : "", item.organisation].filter(Boolean).join(", ");
        return element("li", {}, element("strong", {}, item.what), ` · ${who}`, item.due ? ` · ${t("byDate", { date: item.due })}` : "", " ", remove);
      }),
    );
    this.root.querySelector("[data-role=commitments-empty]").hidden = items.length > 0;
  }

  async addCommitment(form) {
    const fields = {
      question: this.questionId,
      what: form.elements.what.value,
      actor_type: form.elements.actor_type.value,
      organisation: form.elements.organisation.value,
    };
    if (form.elements.due.value) fields.due = form.elements.due.value;
    if (await this.run("commitment.add", fields, { anchor: form })) form.reset();
  }

  renderChecks() {
    const state = this.getState();
    const checks = [...state.statements.values()].filter((item) => item.question === this.questionId);
    this.root.querySelector("[data-role=checks]").replaceChildren(
      ...checks.map((check) => {
        const cite = element("button", { type: "button" }, t("citeCheck", { number: check.number }));
        cite.addEventListener("click", () => this.insert(`[check:${check.number}]`));
        const close = element("button", { type: "button" }, t("closeCheck"));
        close.addEventListener("click", () => this.run("statement.close", { statement: check.id }, { anchor: close }));
        return element(
          "li",
          { id: `q${this.questionId}-check-${check.number}` },
          element("p", {}, element("strong", {}, t("checkNumber", { number: check.number })), " · ", t(`checkState.${check.state}`)),
          element("blockquote", {}, check.text),
          element("p", {}, t("tally", check.tally)),
          element("div", { class: "moderation-actions" }, cite, check.state === "open" ? close : ""),
        );
      }),
    );
  }

  async putStatement(form) {
    const text = form.elements.statement.value;
    if (await this.run("statement.put", { question: this.questionId, text }, { anchor: form })) form.reset();
  }

  announce(message) {
    document.getElementById("announcer").textContent = message;
  }
}
