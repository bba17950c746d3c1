"""The strings the browser client shows, translated on the server and handed to the page as JSON, so
the client needs no catalogue of its own and a language switch is one page load."""

from django.utils.translation import gettext as _
from django.utils.translation import pgettext


def client_strings() -> dict[str, str]:
    return {
        "connecting": _("Connecting…"),
        "live": _("Live"),
        "reconnecting": _("Connection lost. Reconnecting…"),
        "reconnectingIn": _("Connection lost. Trying again in %(seconds)s s…"),
        "submit": _("Send proposal"),
        "sending": _("Sending…"),
        "sent": _("Your proposal was sent."),
        "charactersLeft": _("%(count)s characters left"),
        "agree": pgettext("vote", "Agree"),
        "disagree": pgettext("vote", "Disagree"),
        "pass": pgettext("vote", "Pass"),
        "tally": _("%(agree)s agree, %(disagree)s disagree, %(pass)s pass"),
        "voteOn": _("Your vote on this proposal"),
        "textEmpty": _("Write something first."),
        "mine": _("Yours"),
        "writtenIn": _("Written in %(language)s"),
        "newProposals": _("New proposals: %(count)s"),
        "participants": _("Participants: %(count)s"),
        "proposalCount": _("Proposals: %(count)s"),
        "timeout": _("No answer from the server. Check your connection and try again."),
        "gone": _("This roundtable no longer exists."),
        "state.closed": _("Closed"),
        "state.collecting": _("Collecting proposals"),
        "state.voting": _("Voting"),
        "state.locked": _("Locked"),
        "lang.en": _("English"),
        "lang.es": _("Spanish"),
        "lang.fr": _("French"),
    }
