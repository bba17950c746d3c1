// Machine translation of a proposal, when the organisation has set up a translation server: on request,
// into the reader's language, marked as machine-made, with the original one click away. Votes are always
// on the original; a translation of a text that was edited since is never shown.
// Every translated text a reader is shown (a proposal they asked for, a room check a moderator or the
// translation pass put in their language) has one switch, "Show the original" / "Show the translation":
// a real button whose new state is announced, the original named by its language ("Original (Español)").
import { element } from "./dom.js";
import { t } from "./i18n.js";

// The sentence for a language ("Translate into Spanish"), written whole in each catalogue so that each
// language's grammar is right; a generic one with the language's name for any other language.
function about(key, language) {
  const sentence = t(`${key}.${language}`);
  return sentence === `${key}.${language}` ? t(key, { language: t(`lang.${language}`) }) : sentence;
}

export class Translations {
  // `commandType` and `idField` say what is translated: proposals ("proposal.translate", "proposal")
  // or room checks ("statement.translate", "statement").
  constructor({ enabled, language, command, rerender, onError, announce = () => {}, commandType = "proposal.translate", idField = "proposal" }) {
    this.enabled = enabled;
    this.announce = announce;
    // Translations shown without asking (a room check in the reader's language) whose reader switched to
    // the original.
    this.originals = new Set();
    this.language = language;
    this.command = command;
    this.commandType = commandType;
    this.idField = idField;
    this.rerender = rerender; // (proposalId) => void: draw that proposal again
    this.onError = onError;
    this.kept = new Map(); // id -> { of: original text, text: translation }
    this.showing = new Set();
    this.waiting = new Set();
  }

  translationOf(proposal) {
    const kept = this.kept.get(proposal.id);
    return kept && kept.of === proposal.text ? kept.text : null;
  }

  // The text as this reader has chosen to see it, and the control to switch.
  render(proposal, { tag = "p", textClass = "proposal-text" } = {}) {
    const original = element(tag, { class: textClass, lang: proposal.language || undefined }, proposal.text);
    if (!this.enabled || !proposal.language || proposal.language === this.language) return [original];
    const kept = this.translationOf(proposal);
    if (kept !== null && this.showing.has(proposal.id)) {
      return [
        element(tag, { class: `${textClass} machine-translated`, lang: this.language }, kept),
        element(
          "p",
          { class: "translation-note" },
          about("machineTranslated", proposal.language),
          " ",
          this.toggle(proposal, t("showOriginal"), () => this.showOriginal(proposal)),
        ),
      ];
    }
    if (kept !== null) {
      // Translated once already: the switch goes back to it without asking the server again.
      return [
        originalLabel(proposal.language),
        original,
        element("p", { class: "translation-note" }, this.toggle(proposal, t("showTranslation"), () => this.translate(proposal))),
      ];
    }
    const waiting = this.waiting.has(proposal.id);
    const button = this.toggle(proposal, waiting ? t("translating") : about("translate", this.language), () =>
      this.translate(proposal),
    );
    button.disabled = waiting;
    return [original, element("p", { class: "translation-note" }, button)];
  }

  toggle(proposal, label, action) {
    const button = element("button", { type: "button", class: "link-button", dataset: { translate: String(proposal.id) } }, label);
    button.addEventListener("click", () => {
      const holder = button.closest("li")?.id;
      action().then(() => {
        // Keep keyboard focus on the switch once the proposal is drawn again.
        if (holder) document.getElementById(holder)?.querySelector("[data-translate]")?.focus();
      });
    });
    return button;
  }

  async showOriginal(proposal) {
    this.showing.delete(proposal.id);
    this.rerender(proposal.id);
    this.announce(t("showingOriginal", { language: t(`ownName.${proposal.language}`) }));
  }

  // A text already in the reader's language (`translated`: its text and whether a machine made it,
  // `mark`: the sentence saying so) with the switch to its original and back.
  renderTranslated(item, translated, mark, { tag = "p", textClass = "proposal-text" } = {}) {
    const key = item.id;
    if (this.originals.has(key)) {
      return [
        originalLabel(item.language),
        element(tag, { class: textClass, lang: item.language || undefined }, item.text),
        element("p", { class: "translation-note" }, this.toggle(item, t("showTranslation"), async () => this.switchTo(item, false))),
      ];
    }
    return [
      element(tag, { class: `${textClass}${translated.machine ? " machine-translated" : ""}`, lang: this.language }, translated.text),
      element(
        "p",
        { class: "translation-note", dataset: { role: "check-mark" } },
        mark,
        " ",
        this.toggle(item, t("showOriginal"), async () => this.switchTo(item, true)),
      ),
    ];
  }

  switchTo(item, original) {
    if (original) this.originals.add(item.id);
    else this.originals.delete(item.id);
    this.rerender(item.id);
    this.announce(original ? t("showingOriginal", { language: t(`ownName.${item.language}`) }) : t("showingTranslation"));
  }

  async translate(proposal) {
    if (this.translationOf(proposal) === null) {
      this.waiting.add(proposal.id);
      this.rerender(proposal.id);
      try {
        const ack = await this.command(this.commandType, { [this.idField]: proposal.id, language: this.language });
        this.kept.set(proposal.id, { of: proposal.text, text: ack.result.text });
      } catch (error) {
        this.onError(error);
        return;
      } finally {
        this.waiting.delete(proposal.id);
        this.rerender(proposal.id);
      }
    }
    const shown = this.showing.has(proposal.id);
    this.showing.add(proposal.id);
    this.rerender(proposal.id);
    if (!shown) this.announce(t("showingTranslation"));
  }
}

// "Original (Español)": the original's language in its own name, above the original text.
function originalLabel(language) {
  return element("p", { class: "original-label", dataset: { role: "original-label" } }, t("originalIn", { language: t(`ownName.${language}`) }));
}
