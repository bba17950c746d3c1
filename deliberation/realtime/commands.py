"""The whitelist of client frames: each type, its schema, and the service it calls.

A frame's `type` is only ever a key into COMMANDS; it never names a handler on the channel layer."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from deliberation.services.commands import CommandResult
from deliberation.services.proposals import proposal_submit
from deliberation.services.votes import vote_cast

CommandId = Annotated[str, StringConstraints(min_length=1, max_length=64)]
LanguageCode = Annotated[str, StringConstraints(min_length=2, max_length=8)]
ObjectId = Annotated[int, Field(ge=1, le=2**62)]


class Frame(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class ResumeFrame(Frame):
    type: Literal["resume"]
    id: CommandId | None = None
    seq: Annotated[int, Field(ge=0, le=2**62)]


class ProposalSubmitFrame(Frame):
    type: Literal["proposal.submit"]
    id: CommandId
    question: ObjectId
    # Generous here: the service applies the real limit with a message that states it.
    text: Annotated[str, StringConstraints(max_length=4000)]
    language: LanguageCode | None = None


class VoteCastFrame(Frame):
    type: Literal["vote.cast"]
    id: CommandId
    proposal: ObjectId
    choice: Literal["agree", "disagree", "pass"]


@dataclass(frozen=True)
class Caller:
    roundtable_id: int
    participant_id: int | None


@dataclass(frozen=True)
class Command:
    schema: type[Frame]
    run: Callable[[Any, Caller], CommandResult]


COMMANDS: dict[str, Command] = {
    "proposal.submit": Command(
        schema=ProposalSubmitFrame,
        run=lambda frame, caller: proposal_submit(
            roundtable_id=caller.roundtable_id,
            participant_id=caller.participant_id,
            question_id=frame.question,
            text=frame.text,
            language=frame.language,
            command_id=frame.id,
        ),
    ),
    "vote.cast": Command(
        schema=VoteCastFrame,
        run=lambda frame, caller: vote_cast(
            roundtable_id=caller.roundtable_id,
            participant_id=caller.participant_id,
            proposal_id=frame.proposal,
            choice=frame.choice,
            command_id=frame.id,
        ),
    ),
}
