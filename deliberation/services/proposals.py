from django.conf import settings
from django.db import transaction

from deliberation.errors import ServiceError
from deliberation.models import Event, Proposal, ProposalStatus, Question
from deliberation.policy import Action, policy_require
from deliberation.selectors import EMPTY_TALLY, participant_get, proposal_public
from deliberation.services.commands import CommandResult, command_find, text_clean
from deliberation.services.events import event_record, roundtable_lock


def _result(event: Event) -> CommandResult:
    return CommandResult(seq=event.seq, result={"proposal": event.data["proposal"]["id"]})


def proposal_submit(
    *,
    roundtable_id: int,
    participant_id: int | None,
    question_id: int,
    text: str,
    language: str | None = None,
    command_id: str | None = None,
) -> CommandResult:
    cleaned = text_clean(text=text, max_chars=settings.ROUNDTABLE_PROPOSAL_MAX_CHARS)
    with transaction.atomic():
        roundtable = roundtable_lock(roundtable_id=roundtable_id)
        author = policy_require(
            participant=participant_get(roundtable=roundtable, participant_id=participant_id),
            action=Action.PROPOSAL_SUBMIT,
        )
        if (earlier := command_find(actor=author, command_id=command_id)) is not None:
            return _result(earlier)
        question = Question.objects.filter(roundtable=roundtable, pk=question_id).first()
        if question is None:
            raise ServiceError("question_not_found")
        if not question.accepts_proposals:
            raise ServiceError("question_not_collecting")
        if language is not None and language not in roundtable.languages:
            raise ServiceError("language_invalid")
        proposal = Proposal.objects.create(
            question=question,
            author=author,
            text=cleaned,
            language=language or author.language,
            status=ProposalStatus.VISIBLE,
        )
        event = event_record(
            roundtable=roundtable,
            kind="proposal.submitted",
            data={"proposal": proposal_public(proposal=proposal, tally=dict(EMPTY_TALLY))},
            private={"mine": True},
            actor=author,
            command_id=command_id,
        )
    return _result(event)
