// Every action answers in view: votes and reports, the proposal form, and the errors and confirmations they
// bring, each beside the control that caused it.
import { element } from "../dom.js";
import { t, errorText } from "../i18n.js";

// --- Every action answers in view: an error appears next to the control that caused it (and is announced),
// a confirmation next to the form that was sent. Errors survive the live re-render of what they sit in.
const alerts = () => document.getElementById("alerts");
const kept = new Map(); // key -> {message, anchor: () => Element | null}

function place(key) {
  const entry = kept.get(key);
  const anchor = entry?.anchor();
  if (!anchor) return;
  let box = anchor.querySelector(`:scope > .inline-error[data-error-key="${key}"]`);
  if (!box) {
    box = element("p", { class: "inline-error", dataset: { errorKey: key } });
    anchor.append(box);
  }
  box.classList.toggle("queued", Boolean(entry.queued));
  box.textContent = entry.message;
}

// Shows `message` inside the element `anchor()` returns (now and after each re-render), and says it.
export function showError(key, anchor, message) {
  kept.set(key, { message, anchor });
  place(key);
  alerts().textContent = message;
}

// A command made offline waits in the connection's queue: a calm note beside its control (announced
// politely), removed like an error once the command is answered.
function queuedNote(key, anchor, message) {
  kept.set(key, { message, anchor, queued: true });
  place(key);
  document.getElementById("announcer").textContent = message;
}

export function clearError(key) {
  const entry = kept.get(key);
  kept.delete(key);
  entry?.anchor()?.querySelector(`:scope > .inline-error[data-error-key="${key}"]`)?.remove();
}

// After a part of the page was drawn again: put back the errors that belong in it.
export function restoreErrors() {
  for (const key of kept.keys()) place(key);
}

// --- Votes and reports, on the next card and in the list: the choice shows at once, and an error shows
// beside the control that caused it (and is announced).
export function bindVotesAndReports(sections, { connection, announcer, getState, redraw, onCardVote }) {
  for (const section of sections.values()) {
    section.addEventListener("click", async (clickEvent) => {
      const flagButton = clickEvent.target.closest("button.flag");
      if (flagButton && !flagButton.disabled) {
        const id = Number(flagButton.dataset.flag);
        // Offline, the report waits in the queue: say so beside it, not only in the badge at the top.
        if (!connection.live) queuedNote(`flag-${id}`, () => document.getElementById(`proposal-${id}`), t("flagQueuedOffline"));
        try {
          await connection.command("proposal.flag", { proposal: id });
          clearError(`flag-${id}`);
          announcer.textContent = t("flagDone");
        } catch (error) {
          showError(`flag-${id}`, () => document.getElementById(`proposal-${id}`), errorText(error));
        }
        return;
      }
      const button = clickEvent.target.closest("button.vote");
      if (!button || button.disabled) return;
      const proposalId = Number(button.dataset.proposal);
      const onCard = Boolean(button.closest(".next-card"));
      const key = `vote-${proposalId}`;
      const anchor = onCard
        ? () => section.querySelector(`.next-card[data-proposal-id="${proposalId}"]`) ?? section.querySelector("[data-role=next-vote]")
        : () => document.getElementById(`proposal-${proposalId}`);
      // Show the choice at once; the event that follows carries the true tally.
      for (const other of button.parentElement.querySelectorAll("button.vote")) {
        other.setAttribute("aria-pressed", other === button ? "true" : "false");
      }
      if (!connection.live) queuedNote(key, anchor, t("voteQueuedOffline"));
      try {
        await connection.command("vote.cast", { proposal: proposalId, choice: button.dataset.choice });
        clearError(key);
        if (onCard) onCardVote(Number(section.dataset.questionId));
      } catch (error) {
        const proposal = getState()?.proposals.get(proposalId);
        if (proposal) redraw(proposal);
        showError(key, anchor, errorText(error));
      }
    });
  }
}

// --- The proposal form of each question: send, then confirm in view, beside the button that was pressed
// (role=status), and point to "Your proposals" where it can be followed. The form's markup is
// participant.html's `[data-role=form]`; the composer (counter, draft) attaches to the same markup.
// "Write a proposal": one tap to the box, with the keyboard up. The form itself is composer.js's.
export function bindWriteLinks(sections) {
  for (const section of sections.values()) {
    const textarea = section.querySelector("[data-role=form] textarea");
    section.querySelector("[data-role=write-link]").addEventListener("click", (clickEvent) => {
      clickEvent.preventDefault();
      textarea.focus({ preventScroll: true });
      textarea.scrollIntoView({ block: "center" });
    });
  }
}
