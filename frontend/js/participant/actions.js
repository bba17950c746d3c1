// Votes and reports, on the next card and in the list: the choice shows at once, and an error shows
// beside the control that caused it (and is announced).
import { t, errorText } from "../i18n.js";
import { clearError, showError } from "./feedback.js";

export function bindVotesAndReports(sections, { connection, announcer, getState, redraw, onCardVote }) {
  for (const section of sections.values()) {
    section.addEventListener("click", async (clickEvent) => {
      const flagButton = clickEvent.target.closest("button.flag");
      if (flagButton && !flagButton.disabled) {
        const id = Number(flagButton.dataset.flag);
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
