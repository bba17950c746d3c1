"""The participant screen's strings for the phone layout (issue 14): folding, question chips, the next
proposal to vote on, "Your proposals", confirmations and empty states. Merged into `client_strings()`;
kept apart so the layout's strings are in one place."""

from django.utils.translation import gettext as _
from django.utils.translation import pgettext


def phone_strings() -> dict[str, str]:
    return {
        "fold.show": pgettext("fold", "Show"),
        "fold.hide": pgettext("fold", "Hide"),
        "chip.closed": pgettext("question chip", "Closed"),
        "chip.collecting": pgettext("question chip", "Open"),
        "chip.voting": pgettext("question chip", "Voting"),
        "chip.locked": pgettext("question chip", "Ended"),
        "empty.collecting": _("No proposals yet. Be the first to write one."),
        "empty.other": _("No proposals yet."),
        "empty.locked": _("No proposals were written for this question."),
        "nextLeft": _("Left to vote on: %(count)s"),
        "nextDone": _("You have voted on every proposal so far. New ones will appear here."),
        "nextNone": _("No proposals from others to vote on yet."),
        "nextLoading": _("Loading proposals…"),
        "voteRecorded": _("Vote recorded. Here is the next one."),
        "voteRecordedLast": _("Vote recorded."),
        "mine.visible": _("Visible to everyone"),
        "mine.pending": _("Awaiting a moderator's approval"),
        "mine.hidden": _("Hidden by a moderator"),
        "mine.seeIt": _("See it in the list"),
        "sentFollow": _("Your proposal was sent. Follow it under “Your proposals”."),
        "sentPendingFollow": _(
            "Your proposal was sent. It will appear once a moderator approves it: follow it under "
            "“Your proposals”."
        ),
        "themeProposals": _("Proposals in this theme (%(count)s)"),
        "unsortedProposals": _("See them (%(count)s)"),
    }
