"""The audit log as people read it: every action code with a translated label, and each entry's details
as labelled, translated values ("From: Closed · To: Collecting proposals"), never raw keys. The CSV export
keeps the codes and the details as JSON, for programs."""

import json
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext, pgettext_lazy

from deliberation.models import ProposalStatus, QuestionState, Role, Roundtable
from deliberation.texts import LANGUAGE_NAMES, text_in_language

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
    "draft.save": pgettext_lazy("audit", "Conclusions saved"),
    "commitment.add": pgettext_lazy("audit", "Commitment added"),
    "commitment.remove": pgettext_lazy("audit", "Commitment removed"),
    "statement.put": pgettext_lazy("audit", "Room check put to the room"),
    "statement.close": pgettext_lazy("audit", "Room check closed"),
    "draft.review": pgettext_lazy("audit", "Conclusions' translation reviewed"),
    "translation.save": pgettext_lazy("audit", "Translation written or corrected"),
    "translation.review": pgettext_lazy("audit", "Translation reviewed"),
    "translation.machine": pgettext_lazy("audit", "Machine translation proposed"),
    "publication.create": pgettext_lazy("audit", "Document published"),
    # Organizing.
    "roundtable.create": pgettext_lazy("audit", "Roundtable created"),
    "roundtable.settings": pgettext_lazy("audit", "Settings changed"),
    "registration.rule": pgettext_lazy("audit", "Registration rule changed"),
    "registrant.add": pgettext_lazy("audit", "Person added to the registration list"),
    "registrants.upload": pgettext_lazy("audit", "Registration list uploaded"),
    "links.send": pgettext_lazy("audit", "Personal links sent"),
    "invitation.create": pgettext_lazy("audit", "Moderator or organizer invited"),
    "invitation.revoke": gettext_lazy("Invitation withdrawn"),
    # The run of show.
    "run_of_show.plan": pgettext_lazy("audit", "Run of show planned"),
    "run_of_show.start": pgettext_lazy("audit", "Session started"),
    "run_of_show.pause": pgettext_lazy("audit", "Run of show paused"),
    "run_of_show.resume": pgettext_lazy("audit", "Run of show resumed"),
    "run_of_show.extend": pgettext_lazy("audit", "Step extended"),
    "run_of_show.skip": pgettext_lazy("audit", "Step skipped"),
    "run_of_show.back": pgettext_lazy("audit", "Back to the previous step"),
    "run_of_show.advance": pgettext_lazy("audit", "Step ended on time"),
}

# What each detail is called; details not listed here are not shown on the page (the CSV has them all).
DETAIL_LABELS = {
    "from": pgettext_lazy("audit", "From"),
    "to": pgettext_lazy("audit", "To"),
    "then": pgettext_lazy("audit", "Then"),
    "seconds": pgettext_lazy("audit", "Countdown"),
    "switches": pgettext_lazy("audit", "Switches"),
    "question": pgettext_lazy("audit", "Question"),
    "flagged": pgettext_lazy("audit", "It had been reported"),
    "reason": pgettext_lazy("audit", "Reason"),
    "hidden_reason": pgettext_lazy("audit", "Reason it had been hidden"),
    "was": pgettext_lazy("audit", "Before"),
    "before": pgettext_lazy("audit", "Before"),
    "after": pgettext_lazy("audit", "After"),
    "pinned": pgettext_lazy("audit", "Pinned"),
    "flags": pgettext_lazy("audit", "Reports"),
    "counted": pgettext_lazy("audit", "Reports that count"),
    "held": pgettext_lazy("audit", "Held for review"),
    "into": pgettext_lazy("audit", "Into"),
    "votes_moved": pgettext_lazy("audit", "Votes moved"),
    "votes_dropped": pgettext_lazy("audit", "Votes dropped"),
    "theme": pgettext_lazy("audit", "Theme"),
    "name": pgettext_lazy("audit", "Name"),
    "locked": pgettext_lazy("audit", "Locked"),
    "new": pgettext_lazy("audit", "New theme"),
    "proposal": pgettext_lazy("audit", "Proposal"),
    "proposals": pgettext_lazy("audit", "Proposals"),
    "version": pgettext_lazy("audit", "Version"),
    "merged": pgettext_lazy("audit", "Merged with a save made meanwhile"),
    "characters": pgettext_lazy("audit", "Characters"),
    "commitment": pgettext_lazy("audit", "Commitment"),
    "what": pgettext_lazy("audit", "What"),
    "statement": pgettext_lazy("audit", "Room check"),
    "text": pgettext_lazy("audit", "Text"),
    "tally": pgettext_lazy("audit", "Answers"),
    "slug": pgettext_lazy("audit", "Address"),
    "note": pgettext_lazy("audit", "Note"),
    "email": pgettext_lazy("audit", "Email"),
    "role": pgettext_lazy("audit", "Role"),
    "code": pgettext_lazy("audit", "Code"),
    "languages": pgettext_lazy("audit", "Languages"),
    "questions": pgettext_lazy("audit", "Questions"),
    "actor_types": pgettext_lazy("audit", "Actor types"),
    "actor_type": pgettext_lazy("audit", "Actor type"),
    "capacity": pgettext_lazy("audit", "Seats"),
    "flag_threshold": pgettext_lazy("audit", "Reports before review"),
    "required": pgettext_lazy("audit", "Only registered people may join"),
    "added": pgettext_lazy("audit", "Added"),
    "already": pgettext_lazy("audit", "Already listed"),
    "rejected": pgettext_lazy("audit", "Lines left out"),
    "sent": pgettext_lazy("audit", "Links sent"),
    "resend": pgettext_lazy("audit", "Sent again to everyone"),
    "erased": pgettext_lazy("audit", "Erased at the person's request"),
    "step": pgettext_lazy("audit", "Step"),
    "steps": pgettext_lazy("audit", "Steps"),
    "minutes": pgettext_lazy("audit", "Minutes"),
    "time_added": pgettext_lazy("audit", "Time added"),
    "remaining": pgettext_lazy("audit", "Time left"),
    "language": pgettext_lazy("audit", "Language"),
    "reviewed": pgettext_lazy("audit", "Reviewed"),
    "plan": pgettext_lazy("audit", "Plan"),
}

# A session started without a saved plan ran the suggested one, saved at the start.
PLAN_LABELS = {"suggested": pgettext_lazy("audit", "the suggested plan, saved when the session started")}

SWITCH_LABELS = {
    "premoderation": pgettext_lazy("audit", "Pre-moderation"),
    "tallies_hidden": pgettext_lazy("audit", "Tallies hidden"),
    "anonymous": pgettext_lazy("audit", "Anonymous"),
}

TALLY_LABELS = {
    "agree": pgettext_lazy("audit", "agree"),
    "disagree": pgettext_lazy("audit", "disagree"),
    "pass": pgettext_lazy("audit", "pass"),
}

STATES = {**dict(QuestionState.choices), **dict(ProposalStatus.choices)}
ROLES = dict(Role.choices)
# Details that hold a state code, to be shown by its label.
STATE_KEYS = {"from", "to", "then"}


def action_label(code: str) -> str:
    return str(ACTION_LABELS.get(code, pgettext("audit", "Other action")))


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
    if key == "plan":
        return str(PLAN_LABELS.get(value, value))
    if key in {"seconds", "time_added", "remaining"}:
        return pgettext("audit", "%(seconds)s s") % {"seconds": value}
    if key == "actor_type":
        found = next((kind for kind in roundtable.actor_types if kind["key"] == value), None)
        return text_in_language(found, language, roundtable.languages).text if found else str(value)
    if key == "languages" and isinstance(value, list):
        return ", ".join(LANGUAGE_NAMES.get(code, code) for code in value)
    if key == "language" and isinstance(value, str):
        return LANGUAGE_NAMES.get(value, value)
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
                # "Seats:", "Places :": the colon is the language's too.
                "label": pgettext("audit", "%(label)s:") % {"label": DETAIL_LABELS[key]},
                "value": _value(key, value, action=action, roundtable=roundtable, language=language),
            }
        )
    return shown
