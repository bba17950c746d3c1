"""A moderator puts a draft conclusion to the room as a statement; participants agree, disagree or pass,
live; the result (overall and by actor type) goes beside that conclusion in the document."""

from django.db import transaction
from django.db.models import Max

from deliberation.analysis.languages import language_detect
from deliberation.document.live import statement_view
from deliberation.errors import ServiceError
from deliberation.models import Statement, StatementResponse, StatementState, VoteChoice
from deliberation.policy import Action
from deliberation.services.commands import CommandResult, command_begin, question_in, text_clean
from deliberation.services.events import event_record
from deliberation.services.translations import translations_mark_due

STATEMENT_MAX_CHARS = 500


def statement_put(
    *,
    roundtable_id: int,
    participant_id: int | None,
    question_id: int,
    text: str,
    language: str | None = None,
    command_id: str | None = None,
) -> CommandResult:
    """Put a conclusion to the room, written in `language` (the console's language tab; detected when
    not named). Phones show it in their own language once one is written or machine-translated."""
    cleaned = text_clean(text=text, max_chars=STATEMENT_MAX_CHARS)
    with transaction.atomic():
        roundtable, actor, earlier = command_begin(
            roundtable_id=roundtable_id,
            participant_id=participant_id,
            action=Action.STATEMENT_PUT,
            command_id=command_id,
        )
        if earlier is not None:
            return CommandResult(seq=earlier.seq, result={"statement": earlier.data["statement"]["id"]})
        question = question_in(roundtable=roundtable, question_id=question_id)
        if language is not None and language not in roundtable.languages:
            raise ServiceError("language_invalid")
        highest = Statement.objects.filter(question=question).aggregate(highest=Max("number"))["highest"] or 0
        statement = Statement.objects.create(
            question=question,
            number=highest + 1,
            text=cleaned,
            language=language
            or language_detect(cleaned, candidates=roundtable.languages, default=actor.language),
            created_by=actor,
        )
        translations_mark_due(question=question)
        event = event_record(
            roundtable=roundtable,
            kind="statement.updated",
            data={"action": "put", "statement": statement_view(statement=statement)},
            staff={"audit": {"statement": statement.number, "text": cleaned}},
            actor=actor,
            command_id=command_id,
        )
    return CommandResult(seq=event.seq, result={"statement": statement.pk, "number": statement.number})


def _statement_in(*, roundtable_id: int, statement_id: int) -> Statement:
    statement = Statement.objects.filter(question__roundtable_id=roundtable_id, pk=statement_id).first()
    if statement is None:
        raise ServiceError("statement_not_found")
    return statement


def statement_respond(
    *,
    roundtable_id: int,
    participant_id: int | None,
    statement_id: int,
    choice: str,
    command_id: str | None = None,
) -> CommandResult:
    if choice not in VoteChoice.values:
        raise ServiceError("vote_choice_invalid")
    with transaction.atomic():
        roundtable, actor, earlier = command_begin(
            roundtable_id=roundtable_id,
            participant_id=participant_id,
            action=Action.STATEMENT_RESPOND,
            command_id=command_id,
        )
        if earlier is not None:
            return CommandResult(seq=earlier.seq, result={"statement": statement_id, "choice": choice})
        statement = _statement_in(roundtable_id=roundtable.pk, statement_id=statement_id)
        if statement.state != StatementState.OPEN:
            raise ServiceError("statement_closed")
        response = StatementResponse.objects.filter(statement=statement, participant=actor).first()
        if response is not None and response.choice == choice:
            return CommandResult(seq=None, result={"statement": statement.pk, "choice": choice})
        if response is None:
            StatementResponse.objects.create(statement=statement, participant=actor, choice=choice)
        else:
            response.choice = choice
            response.save(update_fields=["choice", "updated_at"])
        view = statement_view(statement=statement)
        event = event_record(
            roundtable=roundtable,
            kind="statement.updated",
            data={"action": "respond", "statement": view},
            private={str(actor.pk): {"statement": {**view, "my_response": choice}}},
            actor=actor,
            command_id=command_id,
        )
    return CommandResult(seq=event.seq, result={"statement": statement.pk, "choice": choice})


def statement_close(
    *, roundtable_id: int, participant_id: int | None, statement_id: int, command_id: str | None = None
) -> CommandResult:
    with transaction.atomic():
        roundtable, actor, earlier = command_begin(
            roundtable_id=roundtable_id,
            participant_id=participant_id,
            action=Action.STATEMENT_CLOSE,
            command_id=command_id,
        )
        if earlier is not None:
            return CommandResult(seq=earlier.seq, result={"statement": statement_id})
        statement = _statement_in(roundtable_id=roundtable.pk, statement_id=statement_id)
        if statement.state == StatementState.CLOSED:
            return CommandResult(seq=None, result={"statement": statement.pk})
        statement.state = StatementState.CLOSED
        statement.save(update_fields=["state"])
        view = statement_view(statement=statement)
        event = event_record(
            roundtable=roundtable,
            kind="statement.updated",
            data={"action": "close", "statement": view},
            staff={"audit": {"statement": statement.number, "tally": view["tally"]}},
            actor=actor,
            command_id=command_id,
        )
    return CommandResult(seq=event.seq, result={"statement": statement.pk})
