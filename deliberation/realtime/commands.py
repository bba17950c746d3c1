"""The whitelist of client frames: each type, its schema, and the service it calls.

A frame's `type` is only ever a key into COMMANDS; it never names a handler on the channel layer."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from deliberation.services.commands import CommandResult
from deliberation.services.moderation import (
    proposal_approve,
    proposal_edit,
    proposal_flag,
    proposal_hide,
    proposal_merge,
    proposal_pin,
    proposal_restore,
)
from deliberation.services.proposals import proposal_submit
from deliberation.services.questions import (
    question_phase_set,
    question_settings_set,
    roundtable_show_question,
)
from deliberation.services.themes import proposal_move, theme_lock, theme_merge, theme_rename, theme_split
from deliberation.services.votes import vote_cast

CommandId = Annotated[str, StringConstraints(min_length=1, max_length=64)]
LanguageCode = Annotated[str, StringConstraints(min_length=2, max_length=8)]
ObjectId = Annotated[int, Field(ge=1, le=2**62)]
Phase = Literal["closed", "collecting", "voting", "locked"]
# Generous here: the services apply the real limits with messages that state them.
LongText = Annotated[str, StringConstraints(max_length=4000)]


class Frame(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class ResumeFrame(Frame):
    type: Literal["resume"]
    id: CommandId | None = None
    seq: Annotated[int, Field(ge=0, le=2**62)]


class PresenceFrame(Frame):
    """Which question the person has on screen: not a command (no ack), only for live presence."""

    type: Literal["presence"]
    question: ObjectId | None = None


class ProposalSubmitFrame(Frame):
    type: Literal["proposal.submit"]
    id: CommandId
    question: ObjectId
    text: LongText
    language: LanguageCode | None = None


class VoteCastFrame(Frame):
    type: Literal["vote.cast"]
    id: CommandId
    proposal: ObjectId
    choice: Literal["agree", "disagree", "pass"]


class ProposalFrame(Frame):
    """approve, restore, flag: a command about one proposal and nothing more."""

    type: Literal["proposal.approve", "proposal.restore", "proposal.flag"]
    id: CommandId
    proposal: ObjectId


class ProposalHideFrame(Frame):
    type: Literal["proposal.hide"]
    id: CommandId
    proposal: ObjectId
    reason: LongText


class ProposalEditFrame(Frame):
    type: Literal["proposal.edit"]
    id: CommandId
    proposal: ObjectId
    text: LongText


class ProposalPinFrame(Frame):
    type: Literal["proposal.pin"]
    id: CommandId
    proposal: ObjectId
    pinned: bool


class ProposalMergeFrame(Frame):
    type: Literal["proposal.merge"]
    id: CommandId
    proposal: ObjectId
    into: ObjectId


class QuestionPhaseFrame(Frame):
    type: Literal["question.phase"]
    id: CommandId
    question: ObjectId
    state: Phase
    duration_seconds: Annotated[int, Field(ge=0, le=2**31)] | None = None
    then: Phase | None = None


class QuestionSettingsFrame(Frame):
    type: Literal["question.settings"]
    id: CommandId
    question: ObjectId
    premoderation: bool | None = None
    tallies_hidden: bool | None = None
    anonymous: bool | None = None


class ShowQuestionFrame(Frame):
    type: Literal["roundtable.show_question"]
    id: CommandId
    question: ObjectId


ThemeNumber = Annotated[int, Field(ge=1, le=2**31)]


class ThemeRenameFrame(Frame):
    type: Literal["theme.rename"]
    id: CommandId
    question: ObjectId
    theme: ThemeNumber
    name: LongText


class ThemeLockFrame(Frame):
    type: Literal["theme.lock"]
    id: CommandId
    question: ObjectId
    theme: ThemeNumber
    locked: bool


class ThemeMergeFrame(Frame):
    type: Literal["theme.merge"]
    id: CommandId
    question: ObjectId
    theme: ThemeNumber
    into: ThemeNumber


class ThemeSplitFrame(Frame):
    type: Literal["theme.split"]
    id: CommandId
    question: ObjectId
    theme: ThemeNumber
    proposals: Annotated[list[ObjectId], Field(min_length=1, max_length=500)]


class ProposalMoveFrame(Frame):
    type: Literal["proposal.move"]
    id: CommandId
    proposal: ObjectId
    # None: a new theme of its own.
    theme: ThemeNumber | None = None


@dataclass(frozen=True)
class Caller:
    roundtable_id: int
    participant_id: int | None

    def ids(self) -> dict[str, Any]:
        return {"roundtable_id": self.roundtable_id, "participant_id": self.participant_id}


@dataclass(frozen=True)
class Command:
    schema: type[Frame]
    run: Callable[[Any, Caller], CommandResult]


def _on_proposal(service: Callable[..., CommandResult]) -> Command:
    return Command(
        schema=ProposalFrame,
        run=lambda frame, caller: service(**caller.ids(), proposal_id=frame.proposal, command_id=frame.id),
    )


COMMANDS: dict[str, Command] = {
    "proposal.submit": Command(
        schema=ProposalSubmitFrame,
        run=lambda frame, caller: proposal_submit(
            **caller.ids(),
            question_id=frame.question,
            text=frame.text,
            language=frame.language,
            command_id=frame.id,
        ),
    ),
    "vote.cast": Command(
        schema=VoteCastFrame,
        run=lambda frame, caller: vote_cast(
            **caller.ids(), proposal_id=frame.proposal, choice=frame.choice, command_id=frame.id
        ),
    ),
    "proposal.flag": _on_proposal(proposal_flag),
    "proposal.approve": _on_proposal(proposal_approve),
    "proposal.restore": _on_proposal(proposal_restore),
    "proposal.hide": Command(
        schema=ProposalHideFrame,
        run=lambda frame, caller: proposal_hide(
            **caller.ids(), proposal_id=frame.proposal, reason=frame.reason, command_id=frame.id
        ),
    ),
    "proposal.edit": Command(
        schema=ProposalEditFrame,
        run=lambda frame, caller: proposal_edit(
            **caller.ids(), proposal_id=frame.proposal, text=frame.text, command_id=frame.id
        ),
    ),
    "proposal.pin": Command(
        schema=ProposalPinFrame,
        run=lambda frame, caller: proposal_pin(
            **caller.ids(), proposal_id=frame.proposal, pinned=frame.pinned, command_id=frame.id
        ),
    ),
    "proposal.merge": Command(
        schema=ProposalMergeFrame,
        run=lambda frame, caller: proposal_merge(
            **caller.ids(), proposal_id=frame.proposal, into_id=frame.into, command_id=frame.id
        ),
    ),
    "theme.rename": Command(
        schema=ThemeRenameFrame,
        run=lambda frame, caller: theme_rename(
            **caller.ids(),
            question_id=frame.question,
            number=frame.theme,
            name=frame.name,
            command_id=frame.id,
        ),
    ),
    "theme.lock": Command(
        schema=ThemeLockFrame,
        run=lambda frame, caller: theme_lock(
            **caller.ids(),
            question_id=frame.question,
            number=frame.theme,
            locked=frame.locked,
            command_id=frame.id,
        ),
    ),
    "theme.merge": Command(
        schema=ThemeMergeFrame,
        run=lambda frame, caller: theme_merge(
            **caller.ids(),
            question_id=frame.question,
            number=frame.theme,
            into=frame.into,
            command_id=frame.id,
        ),
    ),
    "theme.split": Command(
        schema=ThemeSplitFrame,
        run=lambda frame, caller: theme_split(
            **caller.ids(),
            question_id=frame.question,
            number=frame.theme,
            proposal_ids=list(frame.proposals),
            command_id=frame.id,
        ),
    ),
    "proposal.move": Command(
        schema=ProposalMoveFrame,
        run=lambda frame, caller: proposal_move(
            **caller.ids(), proposal_id=frame.proposal, number=frame.theme, command_id=frame.id
        ),
    ),
    "question.phase": Command(
        schema=QuestionPhaseFrame,
        run=lambda frame, caller: question_phase_set(
            **caller.ids(),
            question_id=frame.question,
            state=frame.state,
            duration_seconds=frame.duration_seconds or None,
            then=frame.then,
            command_id=frame.id,
        ),
    ),
    "question.settings": Command(
        schema=QuestionSettingsFrame,
        run=lambda frame, caller: question_settings_set(
            **caller.ids(),
            question_id=frame.question,
            switches={
                name: value
                for name in ("premoderation", "tallies_hidden", "anonymous")
                if (value := getattr(frame, name)) is not None
            },
            command_id=frame.id,
        ),
    ),
    "roundtable.show_question": Command(
        schema=ShowQuestionFrame,
        run=lambda frame, caller: roundtable_show_question(
            **caller.ids(), question_id=frame.question, command_id=frame.id
        ),
    ),
}
