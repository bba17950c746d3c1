// The proposal form of each question: send, then confirm in view, beside the button that was pressed
// (role=status), and point to "Your proposals" where it can be followed. The form's markup is
// participant.html's `[data-role=form]`; the composer (counter, draft) attaches to the same markup.
import { t, errorText } from "../i18n.js";

function showFormError(section, message) {
  const box = section.querySelector("[data-role=form-error]");
  box.textContent = message;
  box.hidden = !message;
}

export function bindProposalForms(sections, { connection, config, announcer }) {
  for (const section of sections.values()) {
    const form = section.querySelector("[data-role=form]");
    const textarea = form.querySelector("textarea");
    const counter = form.querySelector("[data-role=counter]");
    const submit = form.querySelector("[data-role=submit]");
    const confirmation = form.querySelector("[data-role=form-status]");
    const updateCounter = () => {
      counter.textContent = t("charactersLeft", { count: config.proposalMaxChars - textarea.value.length });
    };
    // "Write a proposal": one tap to the box, with the keyboard up.
    section.querySelector("[data-role=write-link]").addEventListener("click", (clickEvent) => {
      clickEvent.preventDefault();
      textarea.focus({ preventScroll: true });
      textarea.scrollIntoView({ block: "center" });
    });
    textarea.maxLength = config.proposalMaxChars;
    updateCounter();
    textarea.addEventListener("input", () => {
      updateCounter();
      confirmation.textContent = "";
    });
    form.addEventListener("submit", async (submitEvent) => {
      submitEvent.preventDefault();
      const text = textarea.value.trim();
      if (!text) {
        showFormError(section, t("textEmpty"));
        textarea.focus();
        return;
      }
      submit.disabled = true;
      submit.textContent = t("sending");
      showFormError(section, "");
      confirmation.textContent = "";
      try {
        const ack = await connection.command("proposal.submit", { question: Number(section.dataset.questionId), text });
        textarea.value = "";
        updateCounter();
        const held = Boolean(ack.result.held);
        confirmation.textContent = held ? t("sentPendingFollow") : t("sentFollow");
        if (announcer.textContent) announcer.textContent = "";
      } catch (error) {
        showFormError(section, errorText(error));
      } finally {
        submit.disabled = false;
        submit.textContent = t("submit");
      }
    });
  }
}
