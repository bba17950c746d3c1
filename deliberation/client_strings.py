"""The strings the browser client shows, translated on the server and handed to the page as JSON, so
the client needs no catalogue of its own and a language switch is one page load. Each screen gets the
common strings and its own."""

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from deliberation.phone_strings import phone_strings
from deliberation.plurals import count_forms, current_plural_rule
from deliberation.show_strings import show_console_strings, show_strings
from deliberation.texts import LANGUAGE_NAMES


def _common() -> dict[str, str | list[str]]:
    return {
        # Count strings are lists of forms (ngettext's, one per plural form of the language); this rule
        # picks one for a number in the browser (frontend/js/i18n.js tn, deliberation/plurals.py).
        "_pluralRule": current_plural_rule(),
        "connecting": _("Connecting…"),
        "live": _("Live"),
        "reconnecting": _("Connection lost. Reconnecting…"),
        "reconnectingIn": _("Connection lost. Trying again in %(seconds)s s…"),
        "gone": _("This roundtable no longer exists."),
        "timeout": _("No answer from the server. Check your connection and try again."),
        "offline": _("Offline"),
        "voteQueuedOffline": _("You are offline: your vote will be sent when you are back online."),
        "flagQueuedOffline": _("You are offline: your report will be sent when you are back online."),
        "offlineQueued": count_forms(
            "Offline: %(count)s action will be sent when you are back online.",
            "Offline: %(count)s actions will be sent when you are back online.",
        ),
        "agree": pgettext("vote", "Agree"),
        "disagree": pgettext("vote", "Disagree"),
        "pass": pgettext("vote", "Pass"),
        "tally": _("%(agree)s agree, %(disagree)s disagree, %(pass)s pass"),
        "countOf": _("%(name)s: %(count)s"),
        "talliesHidden": _("Votes are hidden until voting closes."),
        "anonymous": _("Anonymous"),
        "writtenIn": _("Written in %(language)s"),
        "translate": _("Translate into %(language)s"),
        "translate.en": _("Translate into English"),
        "translate.es": _("Translate into Spanish"),
        "translate.fr": _("Translate into French"),
        "translating": _("Translating…"),
        "showOriginal": _("Show the original"),
        "showTranslation": _("Show the translation"),
        # "Original (Español)": the original's language in its own name (deliberation/texts.py).
        "originalIn": _("Original (%(language)s)"),
        "showingOriginal": _("Showing the original (%(language)s)."),
        "showingTranslation": _("Showing the translation."),
        **{f"ownName.{code}": name for code, name in LANGUAGE_NAMES.items()},
        "machineTranslated": _("Machine translation from %(language)s."),
        "machineTranslated.en": _("Machine translation from English."),
        "machineTranslated.es": _("Machine translation from Spanish."),
        "machineTranslated.fr": _("Machine translation from French."),
        # A room check a moderator translated, or whose machine translation they reviewed.
        "translatedFrom.en": _("Translated from English."),
        "translatedFrom.es": _("Translated from Spanish."),
        "translatedFrom.fr": _("Translated from French."),
        # Whole sentences, so each language writes the language's name as its grammar wants.
        "writtenIn.en": _("Written in English"),
        "writtenIn.es": _("Written in Spanish"),
        "writtenIn.fr": _("Written in French"),
        "participants": count_forms("%(count)s participant", "%(count)s participants"),
        "proposalCount": _("Proposals: %(count)s"),
        "pinned": _("Pinned"),
        "edited": _("Edited by a moderator"),
        "endsIn": _("Ends in %(time)s"),
        "timeUp": _("Time is up"),
        "state.closed": _("Closed"),
        "state.collecting": _("Collecting proposals"),
        "state.voting": _("Voting"),
        "state.locked": _("Locked"),
        "lang.en": _("English"),
        "lang.es": _("Spanish"),
        "lang.fr": _("French"),
        # A language's name on its own inside a sentence ("original: anglais", "texte en anglais").
        "langName.en": pgettext("a language, on its own", "English"),
        "langName.es": pgettext("a language, on its own", "Spanish"),
        "langName.fr": pgettext("a language, on its own", "French"),
        "themeNumber": _("Theme %(number)s"),
        "themeUnnamed": _("Unnamed theme"),
        "themeUnsorted": _("Unsorted proposals"),
        "themeUnsortedHint": _("not grouped with any other yet"),
        "themeLocked": _("Locked"),
        # After a theme's name that a translation server made: "(machine translation)".
        "themeMachine": _("machine translation"),
        "themeSize": count_forms("%(count)s proposal", "%(count)s proposals"),
        # Counted by the votes ("0 of 1 vote"): t() is given count=votes.
        "themeSupport": count_forms(
            "%(share)s%% agree (%(agree)s of %(votes)s vote)",
            "%(share)s%% agree (%(agree)s of %(votes)s votes)",
        ),
        "group": _("Group %(letter)s"),
        "groupSize": count_forms("%(count)s person", "%(count)s people"),
        "groupAgrees": _("Agrees with:"),
        "groupDisagrees": _("Disagrees with:"),
        "opinionsWaiting": _(
            "Opinion groups appear once at least 4 people have each voted on several proposals."
        ),
        # Counted by the groups (t() is given count=groups); the people are at least 4 (opinionsWaiting).
        "opinionsSummary": count_forms(
            "%(people)s people who voted enough form %(groups)s opinion group.",
            "%(people)s people who voted enough form %(groups)s opinion groups.",
        ),
        "yourGroup": _("Your votes place you in %(group)s (ringed on the map)."),
        "consensusHeading": _("Agreed across all groups"),
        "divisiveHeading": _("Where the groups differ most"),
    }


def client_strings() -> dict[str, str | list[str]]:
    """The participant screen."""
    return {
        "checkRespond": _("Your answer to this draft conclusion"),
        "checkOf": _("Room check %(number)s, question %(order)s"),
        "checkOpen": _("open"),
        "checkClosed": _("closed"),
        "checkAnswered": _("Your answer is counted."),
        "checkNew": _("The moderators ask the room about a draft conclusion."),
        "documentPublished": _("The proposal document is published (version %(version)s)."),
        "documentRead": _("Read it"),
        **_common(),
        "submit": _("Send proposal"),
        "sending": _("Sending…"),
        "charactersLeft": count_forms("%(count)s character left", "%(count)s characters left"),
        "charactersOver": count_forms("%(count)s character too many", "%(count)s characters too many"),
        "tooLong": _(
            "Your proposal is longer than %(limit)s characters. Shorten it to send it: nothing was cut."
        ),
        "queuedOffline": _("You are offline: your proposal will be sent when you are back online."),
        "timeoutProposal": _(
            "No answer from the server yet. Your proposal is kept: "
            "sending it again will not publish it twice."
        ),
        "draftKept": _("Your unsent proposal was kept from last time."),
        "voteOn": _("Your vote on this proposal"),
        "textEmpty": _("Write something first."),
        "mine": _("Yours"),
        "newProposals": count_forms("%(count)s new proposal", "%(count)s new proposals"),
        "status.pending": _("Awaiting a moderator"),
        "status.hidden": _("Hidden by a moderator"),
        "status.merged": _("Merged into proposal #%(id)s"),
        "hiddenReason": _("Reason: %(reason)s"),
        "flag": _("Report"),
        "flagged": _("Reported"),
        "flagDone": _("Thank you. The moderators will look at it."),
        "notice.approve": _("A moderator approved your proposal: everyone sees it now."),
        "notice.hide": _("A moderator hid your proposal."),
        "notice.restore": _("A moderator restored your proposal."),
        "notice.edit": _("A moderator corrected your proposal."),
        "notice.pin": _("A moderator pinned your proposal."),
        "notice.merge": _("A moderator merged your proposal into a similar one."),
        "notice.flag": _("Your proposal was reported and waits for a moderator."),
        "phaseChanged": _("Question %(number)s: %(state)s"),
        **phone_strings(),
        **show_strings(),
    }


def console_strings() -> dict[str, str | list[str]]:
    """The moderator console."""
    return {
        "draftVersion": _("Version %(version)s, saved by %(name)s."),
        "draftNewer": _("Version %(version)s is newer than your text: saving merges the two."),
        "draftUnsaved": _("Unsaved changes."),
        "draftSaved": _("Draft saved as version %(version)s."),
        "draftMerged": _("Saved as version %(version)s, merged with what others saved meanwhile."),
        "draftEmpty": _("Nothing written yet."),
        "citationMissing": _("%(source)s (cites nothing visible)"),
        "citedProposals": _("Cited proposals"),
        "checkNumber": _("Room check %(number)s"),
        "checkState.open": _("open"),
        "checkState.closed": _("closed"),
        "citeCheck": _("Cite room check %(number)s"),
        "closeCheck": _("Close the check"),
        # Counted by the themes in total (t() is given count=total).
        "coverageFigure": count_forms(
            "The draft cites %(support)s of the support and %(cited)s of %(total)s theme.",
            "The draft cites %(support)s of the support and %(cited)s of %(total)s themes.",
        ),
        "draftLabel": _("Conclusions in %(language)s (Markdown)"),
        "draftVersionMachine": _("Version %(version)s, machine translation."),
        # The same sentences as the published document's (document/view.py translation_mark).
        "markMachine": _("Machine translation (original: %(language)s), not reviewed."),
        "markReviewed": _("Machine translation (original: %(language)s), reviewed by %(name)s on %(date)s."),
        "markCorrected": _(
            "Machine translation (original: %(language)s), corrected by %(name)s on %(date)s."
        ),
        "markTranslated": _("Translation (original: %(language)s) by %(name)s, %(date)s."),
        "markEmpty": _("Nothing written in this language yet: write it here."),
        "markEmptyMachine": _(
            "Nothing in this language yet: a machine translation is proposed once the text is saved in "
            "another language."
        ),
        "tabEmpty": _("empty"),
        "tabMachine": _("machine, not reviewed"),
        "tabReviewed": _("reviewed"),
        "tabUnsaved": _("unsaved"),
        "tabOutdated": _("out of date"),
        # A translation the original outgrew (services/drafts.py draft_outdated): whole sentences per
        # language of the original, so each catalogue can write its grammar.
        "outdatedReviewed.en": _("The English text changed after this translation was reviewed."),
        "outdatedReviewed.es": _("The Spanish text changed after this translation was reviewed."),
        "outdatedReviewed.fr": _("The French text changed after this translation was reviewed."),
        "outdatedMachine.en": _("The English text changed after this machine translation was made."),
        "outdatedMachine.es": _("The Spanish text changed after this machine translation was made."),
        "outdatedMachine.fr": _("The French text changed after this machine translation was made."),
        "outdatedComing": _("A new machine translation is on its way."),
        "outdatedOffer": _("Translate it again, correct it here, or mark it as still correct."),
        "outdatedByHand": _("Correct it here, or mark it as still correct."),
        "translateAgain": _("Translate again"),
        "translatedAgain": _("Translated again."),
        "stillCorrect": _("Still correct"),
        "reviewed": _("Reviewed"),
        "reviewedDone": _("Marked as reviewed."),
        "writeIn": _("Write it in %(language)s"),
        "correctIn": _("Correct the text in %(language)s"),
        "textIn": _("Text in %(language)s"),
        "textSaved": _("Text saved."),
        "cite": _("Cite #%(id)s"),
        "remove": _("Remove"),
        "byDate": _("by %(date)s"),
        "editingSection": _("%(name)s is editing “%(section)s”."),
        "editingDraft": _("%(name)s is editing this draft."),
        **_common(),
        "queue": _("Waiting for a decision: %(count)s"),
        "approve": _("Approve"),
        "hide": _("Hide"),
        "restore": _("Restore"),
        "edit": _("Correct"),
        "save": _("Save"),
        "cancel": _("Cancel"),
        "pin": _("Pin"),
        "unpin": _("Unpin"),
        "merge": _("Merge into…"),
        "mergeInto": _("Merge #%(id)s into"),
        "mergeChoose": _("Choose the proposal that stays"),
        "hideReason": _("Reason the author will see"),
        "hideReasonDefault": _("Off topic"),
        "flags": count_forms("%(count)s report", "%(count)s reports"),
        "flaggedHeld": _("Held after reports"),
        "status.visible": _("Visible"),
        "status.pending": _("Awaiting approval"),
        "status.hidden": _("Hidden"),
        "status.merged": _("Merged into #%(id)s"),
        "hiddenBecause": _("Hidden: %(reason)s"),
        "by": _("by %(name)s"),
        "done": _("Done."),
        "presence": _("Participants connected now: %(count)s"),
        "presenceStaff": _("Moderators and organizers: %(count)s · screens and watchers: %(watchers)s"),
        "presenceQuestion": _("Viewing this question: %(count)s"),
        "phaseSet": _("Question %(number)s is now: %(state)s"),
        "rename": _("Rename"),
        "themeName": _("Name of theme %(number)s (empty: automatic label)"),
        "lock": _("Lock"),
        "unlock": _("Unlock"),
        "mergeTheme": _("Merge into theme…"),
        "moveTo": _("Move to theme"),
        "mergeGo": _("Merge"),
        "splitGo": _("Split"),
        "moveGo": _("Move here"),
        "newTheme": _("A new theme"),
        "splitOff": _("Split into a new theme"),
        "duplicates": _("Likely duplicates: %(count)s"),
        # The detector's score is a margin, not a percentage: say how sure it is in words instead.
        "duplicateLikely": _("#%(a)s and #%(b)s: very likely the same proposal"),
        "duplicatePossible": _("#%(a)s and #%(b)s: possibly the same proposal"),
        "mergeFirstIntoSecond": _("Merge #%(a)s into #%(b)s"),
        # The merge dialog (frontend/js/merge_dialog.js).
        "compareFirstAndSecond": _("Compare #%(a)s and #%(b)s"),
        "mergeDialogTitle": _("Merge #%(merged)s into #%(survivor)s?"),
        "compareDialogTitle": _("Compare #%(a)s and #%(b)s"),
        "mergeStays": _("Stays: #%(id)s"),
        "mergeGoes": _("Merged into the other: #%(id)s"),
        "compareProposal": _("Proposal #%(id)s"),
        "mergeVotesNow": _("Votes now"),
        "mergeAfter": _("#%(id)s after the merge"),
        "mergeConfirm": _("Merge #%(merged)s into #%(survivor)s"),
        "mergeSwap": _("Keep #%(id)s instead"),
        "compareSwap": _("Swap sides"),
        "mergeLoading": _("Counting the votes…"),
        "mergeUnavailable": _("These two proposals cannot be merged now."),
        "mergeFailed": _("The merge did not go through: nothing changed."),
        "compareNote": _(
            "The detector is not sure enough that these say the same thing to offer a merge. If they do,"
            " use “Merge into…” on one of them."
        ),
        "close": _("Close"),
        "compareIfMerged": _("If #%(merged)s were merged into #%(survivor)s:"),
        "balanceWaiting": _("The balance appears after the first proposals and votes."),
        "balanceCaption": _("Who takes part, by actor type"),
        "actorType": _("Actor type"),
        "balanceRegistered": _("Registered"),
        "balanceJoined": _("Joined"),
        "balanceSpoke": _("Made a proposal"),
        "balanceVoted": _("Voted"),
        "balanceShare": _("Share who spoke"),
        "spokeShare": _("%(share)s%% made a proposal"),
        # The console as a control room (issue 15): cards' menus, the queue across questions, errors
        # shown next to their control, one line of presence.
        "actionsFor": _("Actions for proposal #%(id)s"),
        "moreActions": _("More"),
        "questionShort": _("Q%(number)s"),
        "mergeChooseFirst": _("Choose the proposal to merge into first."),
        "correctionEmpty": _("The corrected text is empty. Write the text, or hide the proposal instead."),
        "hideReasonMissing": _("Give the author a reason."),
        "themeOpen": _("Its proposals and changes"),
        "presenceOf": _("Participants connected now: %(count)s of %(joined)s"),
        "switches": _("Switches"),
        "switchesOn": _("Switches: %(list)s"),
        "switchOn.premoderation": _("approval first"),
        "switchOn.tallies_hidden": _("tallies hidden"),
        "switchOn.anonymous": _("anonymous"),
        **show_console_strings(),
    }


def screen_strings() -> dict[str, str | list[str]]:
    """The projector screen."""
    return {
        **_common(),
        "noQuestion": _("The debate will start soon."),
        "latest": _("Arriving now"),
        "top": _("Most supported"),
        "noneYet": _("No proposals yet."),
        "support": _("%(agree)s agree"),
        **_projector_strings(),
        **show_strings(),
    }


def _projector_strings() -> dict[str, str | list[str]]:
    """What fits on the wall and what did not, and a room check's live tally."""
    return {
        "checkHeading": _("Room check %(number)s"),
        "checkShare": _("%(share)s%%"),
        "moreProposals": count_forms("+%(count)s more proposal", "+%(count)s more proposals"),
        "moreThemes": count_forms("+%(count)s more theme", "+%(count)s more themes"),
        "moreActorTypes": count_forms("+%(count)s more actor type", "+%(count)s more actor types"),
        "checkAnswers": count_forms("%(count)s answer", "%(count)s answers"),
        "themeProposals": count_forms("%(count)s proposal", "%(count)s proposals"),
    }
