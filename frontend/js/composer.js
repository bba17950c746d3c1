// The proposal form, made to respect what people write:
// - a live counter of what is left ("12 characters left", in the language's plural forms), counted as
//   the server counts (after its clean-up, in code points: an emoji is one character, not two or seven);
// - nothing is ever cut: a text over the limit stays whole, says how much too long it is, and is not
//   sent until it is shortened;
// - the unsent draft is kept in this browser (per roundtable and question) across a reload, and
//   forgotten once it is sent;
// - one proposal is published once: pressing Send again after "no answer" sends the same command id,
//   and while offline it says it will be sent when back (connection.js queues it).
// Used by the participant page on each question's form (markup in participant.html).
import { element } from "./dom.js";
import { errorText, t, tn } from "./i18n.js";
import { commandId } from "./connection.js";

const INVISIBLE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200c\u200e-\u200f\u202a-\u202e\u2066-\u2069]/g;

// The length the server will store: NFC, invisible characters gone, white space collapsed, trimmed, in
// code points (deliberation/services/commands.py text_clean).
export function storedLength(text) {
  const cleaned = text.normalize("NFC").replace(INVISIBLE, "").replace(/\s+/g, " ").trim();
  return [...cleaned].length;
}

function draftStore() {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null; // storage refused (private mode, a policy): drafts are simply not kept
  }
}

export function attachComposer({ form, connection, roundtable, question, maxChars, onSent }) {
  const textarea = form.querySelector("textarea");
  const counter = form.querySelector("[data-role=counter]");
  const errorBox = form.querySelector("[data-role=form-error]");
  const submit = form.querySelector("[data-role=submit]");
  const draftKey = `roundtable:${roundtable}:draft:${question}`;
  const store = draftStore();
  // What the form says about the sending (kept, sent, waiting for the network): in view, announced.
  // The page's own status line under the button (participant.html), else one made here.
  let status = form.querySelector("[data-role=form-status]");
  if (!status) {
    status = element("p", { class: "form-status", role: "status", "data-role": "form-status" });
    submit.after(status);
  }
  // Nothing is cut: the limit is shown and enforced on sending, never by the text box.
  textarea.removeAttribute("maxlength");

  let attempt = null; // {id, text}: the proposal being sent, whose id a second Send reuses

  const tooLongBy = () => storedLength(textarea.value) - maxChars;
  function showError(message) {
    errorBox.textContent = message;
    errorBox.hidden = !message;
    if (message) textarea.setAttribute("aria-invalid", "true");
    else textarea.removeAttribute("aria-invalid");
  }
  function showStatus(message, state = "") {
    status.textContent = message;
    status.dataset.state = state;
  }
  function updateCounter() {
    const over = tooLongBy();
    counter.dataset.state = over > 0 ? "over" : "";
    counter.textContent = over > 0 ? tn("charactersOver", over) : tn("charactersLeft", -over);
    if (over <= 0 && errorBox.dataset.reason === "too-long") {
      errorBox.dataset.reason = "";
      showError("");
    }
  }
  // At every change (a few hundred bytes, cheap): a reload or a closed tab right after typing loses nothing.
  function saveDraft() {
    if (!store) return;
    try {
      if (textarea.value.trim()) store.setItem(draftKey, textarea.value);
      else store.removeItem(draftKey);
    } catch {
      // Storage full or refused: the draft lives only in the page.
    }
  }
  function forgetDraft() {
    try {
      store?.removeItem(draftKey);
    } catch {
      // nothing kept, nothing to forget
    }
  }
  function setSending(sending) {
    submit.disabled = sending;
    submit.textContent = sending ? t("sending") : t("submit");
  }

  // The proposal is published (or held for a moderator): the form is ready for the next one.
  function published(ack, text, id) {
    if (attempt?.id === id) attempt = null;
    errorBox.dataset.reason = "";
    showError("");
    // The person may have started another text meanwhile: only what was sent is cleared.
    if (textarea.value.trim() === text) {
      textarea.value = "";
      forgetDraft();
    }
    updateCounter();
    const held = Boolean(ack.result?.held);
    // Where to follow it next: the "Your proposals" area lists it with its status.
    showStatus(held ? t("sentPendingFollow") : t("sentFollow"), "sent");
    onSent?.(ack);
  }
  function failed(error, id) {
    // The late refusal of an earlier text, while a newer one is on its way: said, nothing else changes.
    if (attempt?.id !== id) {
      showError(errorText(error));
      return;
    }
    setSending(false);
    showStatus("");
    if (error.code === "timeout") {
      showError(t("timeoutProposal"));
      return;
    }
    attempt = null;
    showError(errorText(error));
  }
  async function send(text) {
    if (attempt?.text !== text) attempt = { id: commandId(), text };
    const { id } = attempt;
    setSending(true);
    showError("");
    showStatus(connection.live ? "" : t("queuedOffline"), connection.live ? "" : "queued");
    try {
      const ack = await connection.command(
        "proposal.submit",
        { question, text },
        {
          id,
          // It timed out, then the answer came (the network was back): the error goes, the result shows.
          onLate: (frame) => (frame.type === "ack" ? published(frame, text, id) : failed(frame, id)),
        },
      );
      published(ack, text, id);
      setSending(false);
    } catch (error) {
      failed(error, id);
    }
  }

  form.addEventListener("submit", (submitEvent) => {
    submitEvent.preventDefault();
    const text = textarea.value.trim();
    if (!text) {
      showError(t("textEmpty"));
      textarea.focus();
      return;
    }
    if (tooLongBy() > 0) {
      errorBox.dataset.reason = "too-long";
      showError(t("tooLong", { limit: maxChars }));
      textarea.focus();
      return;
    }
    send(text);
  });
  textarea.addEventListener("input", () => {
    updateCounter();
    saveDraft();
    if (status.dataset.state === "sent") showStatus("");
  });
  // Waiting for the network, then sending: the form says which.
  connection.addEventListener?.("status", () => {
    if (!attempt || !submit.disabled) return;
    if (connection.live) showStatus("");
    else showStatus(t("queuedOffline"), "queued");
  });

  let kept = null;
  try {
    kept = store?.getItem(draftKey) ?? null;
  } catch {
    // unreadable storage: no draft
  }
  if (kept && !textarea.value) {
    textarea.value = kept;
    showStatus(t("draftKept"), "kept");
  }
  updateCounter();
}
