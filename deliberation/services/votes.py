from django.db import transaction

from deliberation.errors import ServiceError
from deliberation.models import Event, Proposal, ProposalStatus, Vote, VoteChoice
from deliberation.policy import Action
from deliberation.selectors import proposal_tally
from deliberation.services.analysis import analysis_request
from deliberation.services.commands import CommandResult, command_begin
from deliberation.services.events import event_record
from deliberation.services.questions import question_require_open


def _result(event: Event) -> CommandResult:
    [own] = event.private.values()
    return CommandResult(seq=event.seq, result={"proposal": event.data["proposal"], "choice": own["my_vote"]})


def vote_cast(
    *,
    roundtable_id: int,
    participant_id: int | None,
    proposal_id: int,
    choice: str,
    command_id: str | None = None,
) -> CommandResult:
    """Record the participant's vote on a proposal, replacing any earlier one."""
    if choice not in VoteChoice.values:
        raise ServiceError("vote_choice_invalid")
    with transaction.atomic():
        roundtable, voter, earlier = command_begin(
            roundtable_id=roundtable_id,
            participant_id=participant_id,
            action=Action.VOTE_CAST,
            command_id=command_id,
        )
        if earlier is not None:
            return _result(earlier)
        proposal = (
            Proposal.objects.select_related("question")
            .filter(question__roundtable=roundtable, pk=proposal_id)
            .first()
        )
        if proposal is None:
            raise ServiceError("proposal_not_found")
        if proposal.status != ProposalStatus.VISIBLE:
            raise ServiceError("proposal_hidden")
        question_require_open(question=proposal.question, for_proposals=False)
        # No get_or_create (and its savepoint): the roundtable lock already keeps this person's
        # concurrent votes apart, and the unique constraint backs it.
        vote = Vote.objects.filter(proposal=proposal, participant=voter).first()
        if vote is None:
            Vote.objects.create(proposal=proposal, participant=voter, choice=choice)
        elif vote.choice == choice:
            return CommandResult(seq=None, result={"proposal": proposal.pk, "choice": choice})
        else:
            vote.choice = choice
            vote.save(update_fields=["choice", "updated_at"])
        analysis_request(question_id=proposal.question_id)
        tally = proposal_tally(proposal_id=proposal.pk)
        public_tally = proposal.question.tallies_public
        event = event_record(
            roundtable=roundtable,
            kind="vote.cast",
            data={
                "proposal": proposal.pk,
                "question": proposal.question_id,
                "tally": tally if public_tally else None,
            },
            # While tallies are hidden, only staff see them move.
            staff=None if public_tally else {"tally": tally},
            private={str(voter.pk): {"my_vote": choice}},
            actor=voter,
            command_id=command_id,
        )
    return _result(event)
