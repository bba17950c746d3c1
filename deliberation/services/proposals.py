from django.conf import settings
from django.db import transaction

from deliberation.analysis.languages import language_detect
from deliberation.errors import ServiceError
from deliberation.models import Event, Proposal, ProposalStatus, Question
from deliberation.policy import Action
from deliberation.services.analysis import analysis_request
from deliberation.services.commands import CommandResult, command_begin, text_clean
from deliberation.services.events import event_record
from deliberation.services.proposal_events import proposal_event_data, proposal_layers
from deliberation.services.questions import question_require_open


def _result(event: Event) -> CommandResult:
    # `held`: waiting for a moderator's approval (the public sees nothing of it yet).
    return CommandResult(
        seq=event.seq, result={"proposal": event.data["id"], "held": event.data["proposal"] is None}
    )


def proposal_submit(
    *,
    roundtable_id: int,
    participant_id: int | None,
    question_id: int,
    text: str,
    language: str | None = None,
    command_id: str | None = None,
) -> CommandResult:
    """A new proposal: visible at once, or held for a moderator's approval on a pre-moderated question."""
    cleaned = text_clean(text=text, max_chars=settings.ROUNDTABLE_PROPOSAL_MAX_CHARS)
    with transaction.atomic():
        roundtable, author, earlier = command_begin(
            roundtable_id=roundtable_id,
            participant_id=participant_id,
            action=Action.PROPOSAL_SUBMIT,
            command_id=command_id,
        )
        if earlier is not None:
            return _result(earlier)
        question = Question.objects.filter(roundtable=roundtable, pk=question_id).first()
        if question is None:
            raise ServiceError("question_not_found")
        question_require_open(question=question, for_proposals=True)
        if language is not None and language not in roundtable.languages:
            raise ServiceError("language_invalid")
        # Staff proposals skip their own queue.
        held = question.premoderation and not author.is_staff
        proposal = Proposal.objects.create(
            question=question,
            author=author,
            text=cleaned,
            # Unless the client says, the language the text is written in, whatever the author's interface.
            language=language
            or language_detect(cleaned, candidates=roundtable.languages, default=author.language),
            status=ProposalStatus.PENDING if held else ProposalStatus.VISIBLE,
        )
        if not held:
            analysis_request(question_id=question.pk)
        public, staff, private = proposal_layers(proposal=proposal, question=question)
        event = event_record(
            roundtable=roundtable,
            kind="proposal.submitted",
            data={**proposal_event_data(proposal=proposal, action="submit"), **public},
            staff=staff,
            private=private,
            actor=author,
            command_id=command_id,
        )
    return _result(event)
