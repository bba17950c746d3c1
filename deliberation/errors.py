"""Errors a person can be shown: a stable code for programs and a translated message for people."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

MESSAGES = {
    "bad_frame": _("This message could not be read. Please reload the page."),
    "frame_too_large": _("This message is too large."),
    "unknown_type": _("This action is not known."),
    "invalid": _("Some fields of this action are missing or wrong."),
    "not_joined": _("Join the roundtable first to take part."),
    "forbidden": _("You are not allowed to do this."),
    "roundtable_full": _("This roundtable is full: all its seats are taken."),
    "question_not_found": _("This question does not exist."),
    "question_not_collecting": _("This question is not taking proposals right now."),
    "question_not_voting": _("Voting on this question is not open right now."),
    "proposal_not_found": _("This proposal does not exist."),
    "proposal_hidden": _("This proposal is not visible, so it cannot be voted on."),
    "text_empty": _("Write something first."),
    "text_too_long": _("This text is too long: %(limit)s characters at most."),
    "display_name_invalid": _("Give a display name of 1 to 60 characters."),
    "actor_type_invalid": _("Pick one of the listed actor types."),
    "language_invalid": _("Pick one of the roundtable's languages."),
    "vote_choice_invalid": _("A vote is agree, disagree or pass."),
    "seq_invalid": _("This position in the roundtable's history does not exist."),
    "phase_invalid": _("A question's phase is closed, collecting proposals, voting or locked."),
    "timer_invalid": _("A countdown lasts from %(minimum)s seconds to %(maximum)s minutes."),
    "timer_invalid_then": _("Pick a different phase for when the countdown ends."),
    "proposal_status_conflict": _(
        "This proposal has changed in the meantime; the list now shows it as it is."
    ),
    "hide_reason_invalid": _("Give the author a reason of 1 to %(limit)s characters."),
    "text_unchanged": _("The new text is the same as the old one."),
    "merge_invalid": _("Pick another proposal of the same question to merge into."),
    "flag_own": _("You cannot report your own proposal."),
    "theme_not_found": _("This theme does not exist (any more): the list now shows the current themes."),
    "theme_locked": _("This theme is locked. Unlock it first to change its proposals."),
    "theme_merge_self": _("Pick another theme to merge into."),
    "theme_split_invalid": _("Pick one or more proposals of this theme to move to a new theme."),
    "theme_split_all": _("Leave at least one proposal in the theme you split."),
    "translation_off": _("Machine translation is not set up for this roundtable."),
    "translation_same_language": _("This proposal is already written in that language."),
    "translation_unavailable": _(
        "The translation service did not answer. The original text is shown; try again in a moment."
    ),
    "draft_conflict": _(
        "%(author)s saved version %(version)s while you were writing, and you both changed the same lines. "
        "Both versions of those lines are now marked in your text: keep what should stay, remove the marker "
        "lines and save again."
    ),
    "draft_markers": _(
        "The text still has conflict markers (lines of <<<<<<<, ======= or >>>>>>>). Resolve them first."
    ),
    "draft_version_invalid": _("This version of the draft does not exist. Please reload the page."),
    "review_stale": _(
        "A newer version (%(version)s) arrived while you were reading: read it, then mark it reviewed."
    ),
    "translation_source_changed": _(
        "The original changed while it was being translated. Ask for the translation again."
    ),
    "review_not_machine": _("Only a machine translation needs reviewing; this text was written by a person."),
    "text_language_original": _(
        "This is the language it was written in. Pick another language to write its translation."
    ),
    "commitment_responsible_missing": _("Say who is responsible: an actor type, an organisation or both."),
    "commitment_not_found": _("This commitment does not exist (any more)."),
    "date_invalid": _("Give the date as year-month-day."),
    "statement_not_found": _("This statement does not exist."),
    "statement_closed": _("The room check on this statement is closed."),
    "slug_invalid": _(
        "An address has 3 to 80 lowercase letters, digits or dashes, and does not start or end with a dash."
    ),
    "slug_taken": _("Another roundtable already publishes at this address."),
    "organizers_invalid": _("Name %(limit)s organizers at most, one per line."),
    "document_citation_unknown": _(
        "The conclusions cite something that is not in the document: %(citations)s. "
        "Fix or remove these citations first."
    ),
    "not_registered": _(
        "This roundtable is for registered people only. Use the personal link you were sent."
    ),
    "registration_invalid": _("This personal link is not valid. Ask the organizers for a new one."),
    "email_invalid": _("Enter a valid email address."),
    "invitation_used": _("This invitation has already been accepted by another account."),
    "invitation_expired": _("This invitation has expired. Ask the organizer to invite you again."),
    "invitation_not_found": _("This invitation was already accepted or withdrawn."),
    "slug_reserved": _("This address belongs to another roundtable (it is that roundtable's code)."),
    "display_name_too_long": _("A name has %(limit)s characters at most."),
    "csv_too_large": _("This file is too large: 1 MB at most."),
    "csv_unreadable": _("This file could not be read. Save it as CSV in UTF-8 and try again."),
    "roundtable_title_invalid": _("Give a title in every language, %(limit)s characters at most."),
    "roundtable_questions_invalid": _(
        "Give the same questions in every language, one per line: 1 to %(limit)s questions."
    ),
    "capacity_invalid": _("Seats must be a number from 1 to %(limit)s."),
    "time_zone_invalid": _("Pick a time zone from the list."),
    "times_invalid": _("The end must come after the start."),
    "code_invalid": _("A code has letters, digits, dashes or underscores only, 32 at most."),
    "code_taken": _("Another roundtable already has this code."),
    "flag_threshold_invalid": _("Reports before review must be a number from 1 to %(limit)s."),
    "capacity_below_seated": ngettext_lazy(
        "%(seated)s person already has a seat: give at least that many seats.",
        "%(seated)s people already have a seat: give at least that many seats.",
        "seated",
    ),
    "unavailable": _("The server is busy. Please try again in a moment."),
    "rate_limited": _("You are going too fast. Try again in %(seconds)s s."),
    "command_id_reused": _("This command id was already used for another action. Please reload the page."),
    "signed_out": _("You signed out. Sign in again to go on."),
    "too_many_connections": _("Too many connections from your network. Close other tabs and try again."),
    "joins_too_many": _(
        "Too many seats were taken from your network or this browser just now. Try again in %(seconds)s s."
    ),
    "link_requests_too_many": _(
        "Too many links were asked for just now. Try again in %(minutes)s min, and check your spam folder."
    ),
    # The run of show (issue 19).
    "run_of_show_missing": _("There is no run of show yet: an organizer plans it on the organizer page."),
    "run_of_show_not_started": _("The session has not been started yet."),
    "run_of_show_already_started": _("The session has already been started."),
    "run_of_show_finished": _("The run of show is over: every step has ended."),
    "run_of_show_paused": _("The run of show is paused: resume it first."),
    "run_of_show_not_paused": _("The run of show is not paused."),
    "run_of_show_no_previous": _("This is the first step: there is no step to go back to."),
    "run_of_show_extend_invalid": _("Add from %(minimum)s seconds to %(maximum)s minutes."),
    "run_of_show_owns_clock": _(
        "The run of show is keeping time: pause, extend or skip its step instead of starting a countdown."
    ),
    "run_of_show_started": _(
        "The session is under way: its plan can no longer be changed here. Use the console's pause, "
        "extend, skip and back."
    ),
    "run_of_show_empty": _("Plan at least one step."),
    "run_of_show_too_many": _("A plan has %(limit)s steps at most."),
    "run_of_show_kind_invalid": _("Step %(number)s: pick a question phase, a break or the closing."),
    "run_of_show_duration_invalid": _("Step %(number)s: give a duration from 1 to %(maximum)s minutes."),
    "run_of_show_question_invalid": _(
        "Step %(number)s: pick one of this roundtable's questions and a phase (collecting, voting or locked)."
    ),
    "run_of_show_title_invalid": _("Step %(number)s: a title has %(limit)s characters at most."),
    # Organizer pages (issue 15).
    "actor_types_invalid": _(
        "Give 1 to %(limit)s actor types, each with a name in every language of the roundtable."
    ),
}


class ServiceError(Exception):
    """Raised by services and the protocol; nothing has been written when it is raised."""

    def __init__(self, code: str, **params: object) -> None:
        if code not in MESSAGES:
            raise ValueError(f"unknown error code {code!r}")
        self.code = code
        self.params = params
        super().__init__(code)

    @property
    def message(self) -> str:
        """The message in the active language; call under translation.override(person's language)."""
        # A count message (ngettext_lazy keyed by a parameter) picks its plural form as it is filled.
        text = MESSAGES[self.code]
        return str(text % self.params if self.params else text)
