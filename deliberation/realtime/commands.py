"""The whitelist of client frames: each type, its schema, and the service it calls.

A frame's `type` is only ever a key into COMMANDS; it never names a handler on the channel layer."""

import datetime
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from deliberation.errors import ServiceError
from deliberation.realtime.background import READ_EXECUTOR, in_background
from deliberation.services.commands import CommandResult
from deliberation.services.drafts import commitment_add, commitment_remove, draft_review, draft_save
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
from deliberation.services.run_of_show import (
    run_of_show_back,
    run_of_show_extend,
    run_of_show_pause,
    run_of_show_resume,
    run_of_show_skip,
    run_of_show_start,
)
from deliberation.services.statements import statement_close, statement_put, statement_respond
from deliberation.services.texts import draft_retranslate, translation_review, translation_save
from deliberation.services.themes import proposal_move, theme_lock, theme_merge, theme_rename, theme_split
from deliberation.services.translations import proposal_translate, statement_translate
from deliberation.services.votes import VoteRequest, vote_cast, votes_cast
from deliberation.vote_order import vote_order_for

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


class EditingFocus(Frame):
    question: ObjectId
    # The Markdown heading the moderator's caret is under ("" before the first heading).
    section: Annotated[str, StringConstraints(max_length=120)] = ""


class PingFrame(Frame):
    """The browser's heartbeat: answered at once with `pong` (same id), so a client that hears nothing
    for a few seconds knows its connection is dead even when no close ever reaches it."""

    type: Literal["ping"]
    id: CommandId | None = None


class PresenceFrame(Frame):
    """Which question the person has on screen (and, for staff, which draft section they are editing):
    not a command (no ack), only for live presence."""

    type: Literal["presence"]
    question: ObjectId | None = None
    editing: EditingFocus | None = None


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


class DraftSaveFrame(Frame):
    type: Literal["draft.save"]
    id: CommandId
    question: ObjectId
    # The version the text was edited from: 0 for the first save.
    base_version: Annotated[int, Field(ge=0, le=2**31)]
    # Generous here: the service applies ROUNDTABLE_DRAFT_MAX_CHARS with a message that states it.
    text: Annotated[str, StringConstraints(max_length=100_000)]
    # Each language has its own versions; clients before per-language drafts name none.
    language: LanguageCode | None = None


class DraftReviewFrame(Frame):
    type: Literal["draft.review"]
    id: CommandId
    question: ObjectId
    language: LanguageCode
    # The version the moderator read.
    version: Annotated[int, Field(ge=1, le=2**31)]


class DraftRetranslateFrame(Frame):
    type: Literal["draft.retranslate"]
    id: CommandId
    question: ObjectId
    language: LanguageCode


class TranslationSaveFrame(Frame):
    type: Literal["translation.save"]
    id: CommandId
    kind: Literal["commitment", "statement"]
    item: ObjectId
    language: LanguageCode
    text: LongText


class TranslationReviewFrame(Frame):
    type: Literal["translation.review"]
    id: CommandId
    kind: Literal["commitment", "statement"]
    item: ObjectId
    language: LanguageCode


class CommitmentAddFrame(Frame):
    type: Literal["commitment.add"]
    id: CommandId
    question: ObjectId
    what: LongText
    actor_type: Annotated[str, StringConstraints(max_length=64)] = ""
    organisation: LongText = ""
    # Year-month-day; checked as a calendar date by _date.
    due: Annotated[str, StringConstraints(pattern=r"^\d{4}-\d{2}-\d{2}$")] | None = None
    language: LanguageCode | None = None


class CommitmentRemoveFrame(Frame):
    type: Literal["commitment.remove"]
    id: CommandId
    commitment: ObjectId


class StatementPutFrame(Frame):
    type: Literal["statement.put"]
    id: CommandId
    question: ObjectId
    text: LongText
    language: LanguageCode | None = None


class StatementRespondFrame(Frame):
    type: Literal["statement.respond"]
    id: CommandId
    statement: ObjectId
    choice: Literal["agree", "disagree", "pass"]


class StatementCloseFrame(Frame):
    type: Literal["statement.close"]
    id: CommandId
    statement: ObjectId


class RunOfShowFrame(Frame):
    """start, pause, resume, skip, back: the moderator's hand on the run of show, nothing more."""

    type: Literal[
        "run_of_show.start", "run_of_show.pause", "run_of_show.resume", "run_of_show.skip", "run_of_show.back"
    ]
    id: CommandId


class RunOfShowExtendFrame(Frame):
    type: Literal["run_of_show.extend"]
    id: CommandId
    # Generous here: the service applies 30 s to 60 min with a message that states it.
    seconds: Annotated[int, Field(ge=0, le=2**31)]


def _date(value: str | None) -> datetime.date | None:
    if value is None:
        return None
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as error:
        raise ServiceError("date_invalid") from error


@dataclass(frozen=True)
class Caller:
    roundtable_id: int
    participant_id: int | None

    def ids(self) -> dict[str, Any]:
        return {"roundtable_id": self.roundtable_id, "participant_id": self.participant_id}


class ProposalTranslateFrame(Frame):
    type: Literal["proposal.translate"]
    id: CommandId
    proposal: ObjectId
    language: LanguageCode


class StatementTranslateFrame(Frame):
    type: Literal["statement.translate"]
    id: CommandId
    statement: ObjectId
    language: LanguageCode


class VoteOrderFrame(Frame):
    type: Literal["vote.order"]
    id: CommandId
    question: ObjectId


async def _vote_order(frame: VoteOrderFrame, caller: Caller) -> CommandResult:
    result = await in_background(vote_order_for, executor=READ_EXECUTOR)(
        **caller.ids(), question_id=frame.question
    )
    return CommandResult(seq=None, result=result)


@dataclass(frozen=True)
class Command:
    """`run` is a service that works on the database (run on the database thread); `run_async` one that
    also waits on something outside (a translation server) and must not hold that thread meanwhile;
    `run_batch` one that takes many commands of a roundtable in one transaction (realtime/batching.py:
    what queued meanwhile), answering each with its result or the error to raise."""

    schema: type[Frame]
    run: Callable[[Any, Caller], CommandResult] | None = None
    run_async: Callable[[Any, Caller], Awaitable[CommandResult]] | None = None
    run_batch: Callable[[int, Sequence[tuple[Any, Caller]]], list[CommandResult | Exception]] | None = None


def _on_proposal(service: Callable[..., CommandResult]) -> Command:
    return Command(
        schema=ProposalFrame,
        run=lambda frame, caller: service(**caller.ids(), proposal_id=frame.proposal, command_id=frame.id),
    )


def _on_run_of_show(service: Callable[..., CommandResult]) -> Command:
    return Command(
        schema=RunOfShowFrame, run=lambda frame, caller: service(**caller.ids(), command_id=frame.id)
    )


COMMANDS: dict[str, Command] = {
    "vote.order": Command(schema=VoteOrderFrame, run_async=_vote_order),
    "proposal.translate": Command(
        schema=ProposalTranslateFrame,
        run_async=lambda frame, caller: proposal_translate(
            **caller.ids(), proposal_id=frame.proposal, language=frame.language
        ),
    ),
    "statement.translate": Command(
        schema=StatementTranslateFrame,
        run_async=lambda frame, caller: statement_translate(
            **caller.ids(), statement_id=frame.statement, language=frame.language
        ),
    ),
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
        # A room votes at once ("vote now"): the votes queued meanwhile share one transaction.
        run_batch=lambda roundtable_id, items: votes_cast(
            roundtable_id=roundtable_id,
            votes=[
                VoteRequest(
                    participant_id=caller.participant_id,
                    proposal_id=frame.proposal,
                    choice=frame.choice,
                    command_id=frame.id,
                )
                for frame, caller in items
            ],
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
    "run_of_show.start": _on_run_of_show(run_of_show_start),
    "run_of_show.pause": _on_run_of_show(run_of_show_pause),
    "run_of_show.resume": _on_run_of_show(run_of_show_resume),
    "run_of_show.skip": _on_run_of_show(run_of_show_skip),
    "run_of_show.back": _on_run_of_show(run_of_show_back),
    "run_of_show.extend": Command(
        schema=RunOfShowExtendFrame,
        run=lambda frame, caller: run_of_show_extend(
            **caller.ids(), seconds=frame.seconds, command_id=frame.id
        ),
    ),
    "draft.save": Command(
        schema=DraftSaveFrame,
        run=lambda frame, caller: draft_save(
            **caller.ids(),
            question_id=frame.question,
            base_version=frame.base_version,
            text=frame.text,
            language=frame.language,
            command_id=frame.id,
        ),
    ),
    "draft.review": Command(
        schema=DraftReviewFrame,
        run=lambda frame, caller: draft_review(
            **caller.ids(),
            question_id=frame.question,
            language=frame.language,
            version=frame.version,
            command_id=frame.id,
        ),
    ),
    # Waits on the translation server: run as a task of its own, like a reader's translation.
    "draft.retranslate": Command(
        schema=DraftRetranslateFrame,
        run_async=lambda frame, caller: draft_retranslate(
            **caller.ids(), question_id=frame.question, language=frame.language, command_id=frame.id
        ),
    ),
    "translation.save": Command(
        schema=TranslationSaveFrame,
        run=lambda frame, caller: translation_save(
            **caller.ids(),
            kind=frame.kind,
            item_id=frame.item,
            language=frame.language,
            text=frame.text,
            command_id=frame.id,
        ),
    ),
    "translation.review": Command(
        schema=TranslationReviewFrame,
        run=lambda frame, caller: translation_review(
            **caller.ids(), kind=frame.kind, item_id=frame.item, language=frame.language, command_id=frame.id
        ),
    ),
    "commitment.add": Command(
        schema=CommitmentAddFrame,
        run=lambda frame, caller: commitment_add(
            **caller.ids(),
            question_id=frame.question,
            what=frame.what,
            actor_type=frame.actor_type,
            organisation=frame.organisation,
            due=_date(frame.due),
            language=frame.language,
            command_id=frame.id,
        ),
    ),
    "commitment.remove": Command(
        schema=CommitmentRemoveFrame,
        run=lambda frame, caller: commitment_remove(
            **caller.ids(), commitment_id=frame.commitment, command_id=frame.id
        ),
    ),
    "statement.put": Command(
        schema=StatementPutFrame,
        run=lambda frame, caller: statement_put(
            **caller.ids(),
            question_id=frame.question,
            text=frame.text,
            language=frame.language,
            command_id=frame.id,
        ),
    ),
    "statement.respond": Command(
        schema=StatementRespondFrame,
        run=lambda frame, caller: statement_respond(
            **caller.ids(), statement_id=frame.statement, choice=frame.choice, command_id=frame.id
        ),
    ),
    "statement.close": Command(
        schema=StatementCloseFrame,
        run=lambda frame, caller: statement_close(
            **caller.ids(), statement_id=frame.statement, command_id=frame.id
        ),
    ),
}
