"""The audit log as people read it: every action code with a translated label, and each entry's details
as labelled, translated values ("From: Closed · To: Collecting proposals"), never raw keys. The CSV export
keeps the codes and the details as JSON, for programs."""

import json
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from deliberation.models import ProposalStatus, QuestionState, Role, Roundtable
from deliberation.texts import text_in_language

ACTION_LABELS = {
    # Steering and moderation (the console).
    "settings": gettext_lazy("Switches changed"),
    "phase": gettext_lazy("Phase changed"),
    "timer": gettext_lazy("Countdown ended"),
    "show_question": gettext_lazy("Shown on the projector"),
    "approve": gettext_lazy("Approved"),
    "hide": gettext_lazy("Hidden"),
    "restore": gettext_lazy("Restored"),
    "edit": gettext_lazy("Corrected"),
    "pin": gettext_lazy("Pinned or unpinned"),
    "flag": gettext_lazy("Reported"),
    "merge": gettext_lazy("Merged"),
    "theme.rename": gettext_lazy("Theme renamed"),
    "theme.lock": gettext_lazy("Theme locked or unlocked"),
    "theme.merge": gettext_lazy("Themes merged"),
    "theme.split": gettext_lazy("Theme split"),
    "proposal.move": gettext_lazy("Proposal moved to another theme"),
    # Drafting and publishing.
    "draft.save": gettext_lazy("Conclusions saved"),
    "commitment.add": gettext_lazy("Commitment added"),
    "commitment.remove": gettext_lazy("Commitment removed"),
    "statement.put": gettext_lazy("Room check put to the room"),
    "statement.close": gettext_lazy("Room check closed"),
    "publication.create": gettext_lazy("Document published"),
    # Organizing.
    "roundtable.create": gettext_lazy("Roundtable created"),
    "roundtable.settings": gettext_lazy("Settings changed"),
    "registration.rule": gettext_lazy("Registration rule changed"),
    "registrant.add": gettext_lazy("Person added to the registration list"),
    "registrants.upload": gettext_lazy("Registration list uploaded"),
    "links.send": gettext_lazy("Personal links sent"),
    "invitation.create": gettext_lazy("Moderator or organizer invited"),
    "invitation.revoke": gettext_lazy("Invitation withdrawn"),
}

# What each detail is called; details not listed here are not shown on the page (the CSV has them all).
DETAIL_LABELS = {
    "from": gettext_lazy("From"),
    "to": gettext_lazy("To"),
    "then": gettext_lazy("Then"),
    "seconds": gettext_lazy("Countdown"),
    "switches": gettext_lazy("Switches"),
    "question": gettext_lazy("Question"),
    "flagged": gettext_lazy("It had been reported"),
    "reason": gettext_lazy("Reason"),
    "hidden_reason": gettext_lazy("Reason it had been hidden"),
    "was": pgettext_lazy("audit", "Before"),
    "before": pgettext_lazy("audit", "Before"),
    "after": pgettext_lazy("audit", "After"),
    "pinned": gettext_lazy("Pinned"),
    "flags": gettext_lazy("Reports"),
    "counted": gettext_lazy("Reports that count"),
    "held": gettext_lazy("Held for review"),
    "into": gettext_lazy("Into"),
    "votes_moved": gettext_lazy("Votes moved"),
    "votes_dropped": gettext_lazy("Votes dropped"),
    "theme": gettext_lazy("Theme"),
    "name": gettext_lazy("Name"),
    "locked": gettext_lazy("Locked"),
    "new": gettext_lazy("New theme"),
    "proposal": gettext_lazy("Proposal"),
    "proposals": gettext_lazy("Proposals"),
    "version": gettext_lazy("Version"),
    "merged": gettext_lazy("Merged with a save made meanwhile"),
    "characters": gettext_lazy("Characters"),
    "commitment": gettext_lazy("Commitment"),
    "what": gettext_lazy("What"),
    "statement": gettext_lazy("Room check"),
    "text": gettext_lazy("Text"),
    "tally": gettext_lazy("Answers"),
    "slug": gettext_lazy("Address"),
    "note": gettext_lazy("Note"),
    "email": gettext_lazy("Email"),
    "role": gettext_lazy("Role"),
    "code": gettext_lazy("Code"),
    "languages": gettext_lazy("Languages"),
    "questions": gettext_lazy("Questions"),
    "actor_types": gettext_lazy("Actor types"),
    "actor_type": gettext_lazy("Actor type"),
    "capacity": gettext_lazy("Seats"),
    "flag_threshold": gettext_lazy("Reports before review"),
    "required": gettext_lazy("Only registered people may join"),
    "added": gettext_lazy("Added"),
    "already": gettext_lazy("Already listed"),
    "rejected": gettext_lazy("Lines left out"),
    "sent": gettext_lazy("Links sent"),
    "resend": gettext_lazy("Sent again to everyone"),
    "erased": gettext_lazy("Erased at the person's request"),
}

SWITCH_LABELS = {
    "premoderation": gettext_lazy("Pre-moderation"),
    "tallies_hidden": gettext_lazy("Tallies hidden"),
    "anonymous": gettext_lazy("Anonymous"),
}

TALLY_LABELS = {
    "agree": gettext_lazy("agree"),
    "disagree": gettext_lazy("disagree"),
    "pass": gettext_lazy("pass"),
}

STATES = {**dict(QuestionState.choices), **dict(ProposalStatus.choices)}
ROLES = dict(Role.choices)
# Details that hold a state code, to be shown by its label.
STATE_KEYS = {"from", "to", "then"}


def action_label(code: str) -> str:
    return str(ACTION_LABELS.get(code, _("Other action")))


def action_choices() -> list[tuple[str, str]]:
    """(code, label) of every action, sorted by label in the reader's language, for the filter."""
    return sorted(((code, str(label)) for code, label in ACTION_LABELS.items()), key=lambda item: item[1])


def _yes_no(value: bool) -> str:
    return _("yes") if value else _("no")


def _value(key: str, value: Any, *, action: str, roundtable: Roundtable, language: str) -> str:
    if isinstance(value, bool):
        return _yes_no(value)
    if key in STATE_KEYS or (key == "was" and action in {"hide", "approve", "restore"}):
        return str(STATES.get(value, value))
    if key == "role":
        return str(ROLES.get(value, value))
    if key == "seconds":
        return _("%(seconds)s s") % {"seconds": value}
    if key == "actor_type":
        found = next((kind for kind in roundtable.actor_types if kind["key"] == value), None)
        return text_in_language(found, language, roundtable.languages).text if found else str(value)
    if key == "switches" and isinstance(value, dict):
        return ", ".join(
            f"{SWITCH_LABELS.get(name, name)}: {_yes_no(bool(on))}" for name, on in sorted(value.items())
        )
    if key == "tally" and isinstance(value, dict):
        return ", ".join(f"{TALLY_LABELS.get(name, name)} {count}" for name, count in value.items())
    if action == "roundtable.settings" and isinstance(value, list) and len(value) == 2:
        return f"{value[0]} → {value[1]}"
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def audit_details_readable(
    details: dict[str, Any], *, action: str, roundtable: Roundtable, language: str
) -> list[dict[str, str]]:
    """[{"label", "value"}] for the details worth reading, labels and codes in the reader's language."""
    shown = []
    for key, value in details.items():
        if key not in DETAIL_LABELS or value is None or value == "" or value == []:
            continue
        if key == "resend" and not value:
            continue
        shown.append(
            {
                "label": str(DETAIL_LABELS[key]),
                "value": _value(key, value, action=action, roundtable=roundtable, language=language),
            }
        )
    return shown
