"""What every command service shares: text cleaning and the once-only rule for client command ids."""

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from deliberation.errors import ServiceError
from deliberation.models import Event, Participant, Question, Roundtable
from deliberation.policy import Action, policy_require
from deliberation.selectors import participant_get
from deliberation.services.events import roundtable_lock

CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")
_WHITESPACE_RUNS = re.compile(r"\s+")
ZERO_WIDTH_JOINER = "\u200d"
# What an emoji sequence is made of, around a zero-width joiner: pictographs (and the symbols that have
# an emoji form), skin tones, the emoji variation selector, keycaps and tag characters.
_EMOJI_BEFORE_JOINER = re.compile(
    "[\u00a9\u00ae\u203c\u2049\u2122\u2139\u2194-\u21aa\u231a-\u23ff\u24c2\u25aa-\u27bf\u2934\u2935"
    "\u2b05-\u2b55\u3030\u303d\u3297\u3299\U0001f000-\U0001faff\ufe0f\u20e3\U000e0020-\U000e007f]"
)
_EMOJI_AFTER_JOINER = re.compile(
    "[\u00a9\u00ae\u203c\u2049\u2122\u2139\u2194-\u21aa\u231a-\u23ff\u24c2\u25aa-\u27bf\u2934\u2935"
    "\u2b05-\u2b55\u3030\u303d\u3297\u3299\U0001f000-\U0001faff]"
)


def _invisible_replacement(match: re.Match[str]) -> str:
    # A joiner between two parts of an emoji makes them one picture (👩🏽‍🌾 is a woman farmer, not a woman
    # and a sheaf of rice): kept there. Anywhere else it is as invisible as the rest, and goes.
    if match.group() != ZERO_WIDTH_JOINER:
        return ""
    text, at = match.string, match.start()
    before = text[at - 1] if at > 0 else ""
    after = text[at + 1] if at + 1 < len(text) else ""
    if before and after and _EMOJI_BEFORE_JOINER.match(before) and _EMOJI_AFTER_JOINER.match(after):
        return ZERO_WIDTH_JOINER
    return ""


def invisible_strip(text: str) -> str:
    """NFC, without control, zero-width and direction-override characters (which hide text, fool
    readers or reorder what is shown), except the zero-width joiners that hold an emoji sequence
    together."""
    return CONTROL_CHARACTERS.sub(_invisible_replacement, unicodedata.normalize("NFC", text))


@dataclass(frozen=True)
class CommandResult:
    """What the client's `ack` carries: the seq of the event the command wrote (None if it changed
    nothing) and a small result."""

    seq: int | None
    result: dict[str, Any] = field(default_factory=dict)


def text_clean(*, text: str, max_chars: int) -> str:
    """One line of plain text: no control or direction-override characters, single spaces, NFC."""
    cleaned = invisible_strip(text)
    cleaned = _WHITESPACE_RUNS.sub(" ", cleaned).strip()
    if not cleaned:
        raise ServiceError("text_empty")
    if len(cleaned) > max_chars:
        raise ServiceError("text_too_long", limit=max_chars)
    return cleaned


def command_find(*, actor: Participant, command_id: str | None, action: Action) -> Event | None:
    """The event an earlier delivery of this command wrote, if any (a retry after a network drop).

    Command ids are the person's own (the once-only constraint is on actor and id); an id they already
    gave to another kind of command is refused rather than answered with that command's result."""
    if command_id is None:
        return None
    earlier = Event.objects.filter(actor=actor, command_id=command_id).first()
    if earlier is not None and earlier.command and earlier.command != action.value:
        raise ServiceError("command_id_reused")
    return earlier


def command_begin(
    *, roundtable_id: int, participant_id: int | None, action: Action, command_id: str | None
) -> tuple[Roundtable, Participant, Event | None]:
    """How every live command opens, inside its transaction: take the roundtable's lock (commands on one
    roundtable take turns), check the policy table, and find the event an earlier delivery of this same
    command wrote (a retry), which the caller answers with instead of acting again.

    The locked roundtable carries the action to `event_record`, which stores it with the command id
    (the one object every command service hands from here to there)."""
    roundtable = roundtable_lock(roundtable_id=roundtable_id)
    actor = policy_require(
        participant=participant_get(roundtable=roundtable, participant_id=participant_id), action=action
    )
    roundtable.command_action = action.value
    return roundtable, actor, command_find(actor=actor, command_id=command_id, action=action)


def question_in(*, roundtable: Roundtable, question_id: int) -> Question:
    """One of this roundtable's questions, or `question_not_found` (never another roundtable's)."""
    question = Question.objects.filter(roundtable=roundtable, pk=question_id).first()
    if question is None:
        raise ServiceError("question_not_found")
    return question
