// Drafting a question's conclusions in the moderator console: a Markdown editor per language (tabs) that
// saves versions (merged on the server when two moderators saved from the same version of that language,
// refused with marked lines when they changed the same ones), a preview whose citations show the cited
// text and support, a coverage panel of what the draft does not cite yet, commitments, and room checks.
// Each language's text says where it came from: written by a moderator, or a machine translation (not
// reviewed, reviewed, corrected), with a "Reviewed" action; commitments and room checks follow the tab.
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

// A date of a review, as the console's language writes it.
function day(iso, language) {
  return iso ? new Date(iso).toLocaleDateString(language, { day: "numeric", month: "long", year: "numeric" }) : "";
}

// What a text in one language is, in one sentence (the same sentences as the published document).
// `entry`: a draft language's view, or a commitment's or room check's text entry; `source` its original.
export function textMark(entry, source, language) {
  const figures = { language: t(`langName.${source}`), name: entry.reviewed_by ?? "", date: day(entry.reviewed_at, language) };
  if (entry.machine) return entry.reviewed_at ? t("markReviewed", figures) : t("markMachine", figures);
  if (entry.source_language && entry.corrected) return t("markCorrected", figures);
  return t("markTranslated", figures);
}

// What a moderator is told about a translation the original outgrew (the server's `outdated`), and
// what they can do: with a server, an unreviewed machine text is replaced on its own, a reviewed or
// corrected one is offered "Translate again"; without one, it waits for a hand correction.
export function outdatedMark(draft, translation) {
  const reviewed = !draft.machine || draft.reviewed_at;
  const said = t(`${reviewed ? "outdatedReviewed" : "outdatedMachine"}.${draft.source_language}`);
  const next = !translation ? t("outdatedByHand") : reviewed ? t("outdatedOffer") : t("outdatedComing");
  return `${said} ${next}`;
}

// A short word for a language tab: nothing yet, machine-made, reviewed, out of date.
function tabMark(entry) {
  if (!entry || !entry.text?.trim()) return t("tabEmpty");
  if (entry.outdated) return t("tabOutdated");
  if (entry.machine && !entry.reviewed_at) return t("tabMachine");
  if (entry.machine || entry.source_language) return t("tabReviewed");
  return "";
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
    this.mark = this.root.querySelector("[data-role=draft-mark]");
    this.preview = this.root.querySelector("[data-role=draft-preview]");
    this.reviewButton = this.root.querySelector("[data-role=draft-review]");
    this.retranslateButton = this.root.querySelector("[data-role=draft-retranslate]");
    this.tabs = [...this.root.querySelectorAll("[data-role=draft-tabs] [role=tab]")];
    this.languages = this.tabs.map((tab) => tab.dataset.language);
    // Per language: the version its text was edited from, whether it has unsaved changes, and the text
    // typed while another tab is shown (one editor serves every language).
    this.edits = new Map(this.languages.map((language) => [language, { base: 0, dirty: false, text: null }]));
    const remembered = sessionStorage.getItem(`draft-language-${config.code}`);
    this.language = [remembered, config.language].find((language) => this.languages.includes(language)) ?? this.languages[0];
    this.editor.maxLength = config.draftMaxChars;
    this.editor.addEventListener("input", () => {
      const first = !this.edit().dirty;
      this.edit().dirty = true;
      // The tab says "unsaved" from the first keystroke on (not redrawn on every one).
      if (first) this.renderTabs();
      this.renderStatus();
      this.renderCoverage();
      this.reportEditing();
    });
    for (const name of ["keyup", "click", "focus"]) this.editor.addEventListener(name, () => this.reportEditing());
    this.editor.addEventListener("blur", () => this.onEditing(null));
    this.root.querySelector("[data-role=draft-save]").addEventListener("click", () => this.save());
    this.reviewButton.addEventListener("click", () => this.review());
    this.retranslateButton.addEventListener("click", () => this.retranslate());
    for (const tab of this.tabs) {
      tab.addEventListener("click", () => this.choose(tab.dataset.language));
      // Arrow keys move between tabs, as in any tab list (WAI-ARIA: automatic activation).
      tab.addEventListener("keydown", (keyEvent) => {
        const step = { ArrowRight: 1, ArrowLeft: -1, Home: -Infinity, End: Infinity }[keyEvent.key];
        if (step === undefined) return;
        keyEvent.preventDefault();
        const index = this.languages.indexOf(this.language);
        const next = step === Infinity ? this.languages.length - 1 : step === -Infinity ? 0 : (index + step + this.languages.length) % this.languages.length;
        this.choose(this.languages[next], { focus: true });
      });
    }
    this.root.querySelector("[data-role=commitment-form]").addEventListener("submit", (submitEvent) => {
      submitEvent.preventDefault();
      this.addCommitment(submitEvent.target);
    });
    this.root.querySelector("[data-role=check-form]").addEventListener("submit", (submitEvent) => {
      submitEvent.preventDefault();
      this.putStatement(submitEvent.target);
    });
    this.renderTabs();
  }

  edit(language = this.language) {
    return this.edits.get(language);
  }

  draftOf(language = this.language) {
    // Before the snapshot arrives there is no state yet.
    return this.getState()?.drafts?.get(this.questionId)?.languages?.[language] ?? null;
  }

  choose(language, { focus = false } = {}) {
    if (language === this.language) return;
    // Keep what was typed in the tab being left; it is saved from that tab.
    this.edit().text = this.edit().dirty ? this.editor.value : null;
    clearError(this.editor);
    this.language = language;
    sessionStorage.setItem(`draft-language-${this.config.code}`, language);
    this.renderTabs();
    this.render();
    if (focus) this.tabs.find((tab) => tab.dataset.language === language)?.focus();
  }

  renderTabs() {
    for (const tab of this.tabs) {
      const selected = tab.dataset.language === this.language;
      tab.setAttribute("aria-selected", selected ? "true" : "false");
      tab.tabIndex = selected ? 0 : -1;
      const edit = this.edit(tab.dataset.language);
      const mark = [tabMark(this.draftOf(tab.dataset.language)), edit.dirty ? t("tabUnsaved") : ""].filter(Boolean).join(", ");
      tab.querySelector("[data-role=tab-mark]").textContent = mark ? `(${mark})` : "";
    }
    const panel = this.root.querySelector("[data-role=draft-panel]");
    panel.setAttribute("aria-labelledby", `draft-${this.questionId}-tab-${this.language}`);
    this.editor.lang = this.language;
    this.root.querySelector("[data-role=draft-label]").textContent = t("draftLabel", { language: t(`langName.${this.language}`) });
  }

  reportEditing() {
    this.onEditing({ question: this.questionId, section: sectionAt(this.editor.value, this.editor.selectionStart) });
  }

  // A new draft arrived (a snapshot, or someone's save, or a machine translation): take it unless this
  // moderator has unsaved changes in that language, which their next save merges with it on the server.
  render() {
    for (const language of this.languages) {
      const edit = this.edit(language);
      if (!edit.dirty) {
        edit.base = this.draftOf(language)?.version ?? 0;
        edit.text = null;
      }
    }
    const draft = this.draftOf();
    const edit = this.edit();
    const wanted = edit.dirty ? (edit.text ?? this.editor.value) : (draft?.text ?? "");
    if (this.editor.value !== wanted) this.editor.value = wanted;
    edit.text = null;
    this.latest = draft;
    this.renderTabs();
    this.renderMark(draft);
    this.renderPreview(draft);
    this.renderStatus();
    this.renderCoverage();
    this.renderCommitments();
    this.renderChecks();
  }

  renderMark(draft) {
    let text = "";
    if (!draft || !draft.text.trim()) text = this.config.translation ? t("markEmptyMachine") : t("markEmpty");
    else if (draft.outdated) text = outdatedMark(draft, this.config.translation);
    else if (draft.source_language) text = textMark(draft, draft.source_language, this.config.language);
    this.mark.textContent = text;
    this.mark.classList.toggle("outdated", Boolean(draft?.outdated));
    const outdated = Boolean(draft && draft.text.trim() && draft.outdated);
    this.reviewButton.hidden = !(draft && ((draft.machine && !draft.reviewed_at) || outdated));
    this.reviewButton.textContent = outdated ? t("stillCorrect") : t("reviewed");
    // Offered for what a machine will not replace on its own: a reviewed or corrected translation.
    this.retranslateButton.hidden = !(outdated && this.config.translation && (!draft.machine || draft.reviewed_at));
  }

  renderStatus() {
    const draft = this.latest;
    const edit = this.edit();
    const parts = [];
    if (draft && draft.version) parts.push(draft.author ? t("draftVersion", { version: draft.version, name: draft.author }) : t("draftVersionMachine", { version: draft.version }));
    if (draft && draft.version > edit.base) parts.push(t("draftNewer", { version: draft.version }));
    if (edit.dirty) parts.push(t("draftUnsaved"));
    this.status.textContent = parts.join(" · ");
  }

  renderPreview(draft) {
    const state = this.getState();
    // Typing may start before the snapshot ("Live" is shown once the socket opens): nothing to cite yet.
    if (!state) return;
    const holder = element("div", { class: "conclusions", lang: this.language });
    // Sanitised on the server (markdown-it without raw HTML, then nh3): the text only, never a script.
    holder.innerHTML = draft?.html ?? "";
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
      draft?.html ? holder : element("p", { class: "hint" }, t("draftEmpty")),
      cited.length ? element("h5", {}, t("citedProposals")) : "",
      cited.length ? element("ul", { class: "cited" }, ...cited) : "",
    );
  }

  renderCoverage() {
    const state = this.getState();
    if (!state) return;
    const result = coverage(state, this.questionId, citationsIn(this.editor.value));
    const figure = this.root.querySelector("[data-role=coverage-figure]");
    const support = result.support === null ? "—" : `${result.support} %`;
    figure.textContent = t("coverageFigure", { support, cited: result.themesCited, total: result.themesTotal, count: result.themesTotal });
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
    this.edit().dirty = true;
    this.renderTabs();
    this.renderStatus();
    this.renderCoverage();
  }

  async save() {
    const text = this.editor.value;
    const language = this.language;
    const edit = this.edit(language);
    try {
      const ack = await this.connection.command("draft.save", { question: this.questionId, base_version: edit.base, text, language });
      edit.base = ack.result.version;
      edit.dirty = this.language === language ? this.editor.value !== text : false;
      if (ack.result.merged && this.language === language) {
        // The server merged in what others saved meanwhile: show the merged text.
        const draft = this.draftOf(language);
        if (draft && draft.version === edit.base && !edit.dirty) this.editor.value = draft.text;
      }
      this.renderTabs();
      this.renderStatus();
      clearError(this.editor);
      this.announce(ack.result.merged ? t("draftMerged", { version: ack.result.version }) : t("draftSaved", { version: ack.result.version }));
    } catch (error) {
      if (error.code === "draft_conflict" && error.details && this.language === language) {
        this.editor.value = error.details.merged;
        edit.base = error.details.version;
        edit.dirty = true;
        this.renderStatus();
        this.editor.focus();
      }
      showError(this.editor, errorText(error));
    }
  }

  async review() {
    const draft = this.latest;
    if (!draft) return;
    const fields = { question: this.questionId, language: this.language, version: draft.version };
    // The button hides once reviewed: focus goes on to the text just reviewed.
    if (await this.run("draft.review", fields, { anchor: this.reviewButton, done: t("reviewedDone") })) this.editor.focus();
  }

  async retranslate() {
    const fields = { question: this.questionId, language: this.language };
    this.retranslateButton.disabled = true;
    try {
      if (await this.run("draft.retranslate", fields, { anchor: this.retranslateButton, done: t("translatedAgain") })) this.editor.focus();
    } finally {
      this.retranslateButton.disabled = false;
    }
  }

  // A commitment's or room check's text in the tab's language, what it is, and what can be done: mark a
  // machine translation reviewed, or write (correct) the text in this language.
  textIn(kind, item, original) {
    const language = this.language;
    const entry = item.texts?.[language];
    const parts = [];
    let text = original;
    let lang = item.language || undefined;
    let mark = "";
    if (item.language && item.language !== language) {
      if (entry) {
        text = entry.text;
        lang = language;
        mark = textMark(entry, item.language, this.config.language);
      } else mark = t(`writtenIn.${item.language}`);
    }
    parts.push(element(kind === "commitment" ? "strong" : "blockquote", { lang }, text));
    const controls = element("div", { class: "text-marks", dataset: { errorHost: "" } });
    if (mark) controls.append(element("p", { class: "translation-mark" }, mark));
    if (item.language && item.language !== language) {
      if (entry?.machine && !entry.reviewed_at) {
        const reviewed = element("button", { type: "button" }, t("reviewed"));
        reviewed.addEventListener("click", () => this.run("translation.review", { kind, item: item.id, language }, { anchor: reviewed, done: t("reviewedDone") }));
        controls.append(reviewed);
      }
      const write = element("button", { type: "button", "aria-expanded": "false", dataset: { role: "text-write" } }, entry ? t("correctIn", { language: t(`langName.${language}`) }) : t("writeIn", { language: t(`langName.${language}`) }));
      write.addEventListener("click", () => this.openTextForm(controls, write, kind, item, entry?.text ?? ""));
      controls.append(write);
    }
    parts.push(controls);
    return parts;
  }

  openTextForm(controls, opener, kind, item, current) {
    if (controls.querySelector("form")) return;
    const language = this.language;
    const id = `text-${kind}-${item.id}-${language}`;
    const field = element(kind === "statement" ? "textarea" : "input", { id, name: "text", lang: language, maxLength: kind === "statement" ? 500 : 300, required: true });
    field.value = current;
    const cancel = element("button", { type: "button" }, t("cancel"));
    const form = element("form", { class: "inline-edit stack" }, element("label", { for: id }, t("textIn", { language: t(`langName.${language}`) })), field, element("div", { class: "moderation-actions" }, element("button", { type: "submit", class: "primary" }, t("save")), cancel));
    const close = () => {
      form.remove();
      opener.setAttribute("aria-expanded", "false");
      opener.focus();
    };
    cancel.addEventListener("click", close);
    form.addEventListener("submit", async (submitEvent) => {
      submitEvent.preventDefault();
      if (await this.run("translation.save", { kind, item: item.id, language, text: field.value }, { anchor: form, done: t("textSaved") })) {
        form.remove();
        this.renderCommitments();
        this.renderChecks();
        this.root.querySelector(`[data-${kind === "commitment" ? "commitment" : "check"}="${item.id}"] [data-role=text-write]`)?.focus();
      }
    });
    controls.append(form);
    opener.setAttribute("aria-expanded", "true");
    field.focus();
  }

  renderCommitments() {
    const items = this.getState().commitments?.get(this.questionId) ?? [];
    const list = this.root.querySelector("[data-role=commitments]");
    // A form someone is typing in is kept: a commitment list redrawn by someone else's save must not
    // take their words away.
    if (list.querySelector("form:focus-within")) return;
    list.replaceChildren(
      ...items.map((item) => {
        const remove = element("button", { type: "button" }, t("remove"));
        remove.addEventListener("click", () => this.run("commitment.remove", { commitment: item.id }, { anchor: remove }));
        const who = [item.actor_type ? this.actorTypes[item.actor_type] ?? item.actor_type : "", item.organisation].filter(Boolean).join(", ");
        const [text, controls] = this.textIn("commitment", item, item.what);
        return element("li", { dataset: { commitment: String(item.id) } }, text, ` · ${who}`, item.due ? ` · ${t("byDate", { date: item.due })}` : "", " ", remove, controls);
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
      language: this.language,
    };
    if (form.elements.due.value) fields.due = form.elements.due.value;
    if (await this.run("commitment.add", fields, { anchor: form })) form.reset();
  }

  renderChecks() {
    const state = this.getState();
    const checks = [...state.statements.values()].filter((item) => item.question === this.questionId);
    const list = this.root.querySelector("[data-role=checks]");
    if (list.querySelector("form:focus-within")) return;
    list.replaceChildren(
      ...checks.map((check) => {
        const cite = element("button", { type: "button" }, t("citeCheck", { number: check.number }));
        cite.addEventListener("click", () => this.insert(`[check:${check.number}]`));
        const close = element("button", { type: "button" }, t("closeCheck"));
        close.addEventListener("click", () => this.run("statement.close", { statement: check.id }, { anchor: close }));
        const [text, controls] = this.textIn("statement", check, check.text);
        return element(
          "li",
          { id: `q${this.questionId}-check-${check.number}`, dataset: { check: String(check.id) } },
          element("p", {}, element("strong", {}, t("checkNumber", { number: check.number })), " · ", t(`checkState.${check.state}`)),
          text,
          controls,
          element("p", {}, t("tally", check.tally)),
          element("div", { class: "moderation-actions" }, cite, check.state === "open" ? close : ""),
        );
      }),
    );
  }

  async putStatement(form) {
    const text = form.elements.statement.value;
    if (await this.run("statement.put", { question: this.questionId, text, language: this.language }, { anchor: form })) form.reset();
  }

  announce(message) {
    document.getElementById("announcer").textContent = message;
  }
}
