"""Votes: the one command a whole room sends at once ("vote now"), so it is written in batches.

`votes_cast` takes the votes a process has queued (realtime/batching.py) in one transaction under one
roundtable lock: a fixed number of statements for the batch (reads of the voters, earlier events of
their command ids, the proposals with their questions, their votes and tallies; then one insert of the
new votes, one update per choice of the changed ones, one analysis request per question, one seq
update, one insert of the events), not a dozen per vote. Each vote still has the outcome it would have
had alone, in the batch's order: its own event with its own seq and tally true as of that seq, a no-op,
or its own error (the others go on)."""

from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from deliberation.errors import ServiceError
from deliberation.models import Event, Participant, Proposal, ProposalStatus, Vote, VoteChoice
from deliberation.policy import Action, policy_require
from deliberation.selectors import proposal_tallies
from deliberation.services.analysis import analysis_request
from deliberation.services.commands import CommandResult
from deliberation.services.events import events_append, roundtable_lock
from deliberation.services.questions import question_require_open

VOTE_CAST = Action.VOTE_CAST.value


@dataclass(frozen=True)
class VoteRequest:
    participant_id: int | None
    proposal_id: int
    choice: str
    command_id: str | None = None


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
    request = VoteRequest(
        participant_id=participant_id, proposal_id=proposal_id, choice=choice, command_id=command_id
    )
    [outcome] = votes_cast(roundtable_id=roundtable_id, votes=[request])
    if isinstance(outcome, ServiceError):
        raise outcome
    return outcome


def votes_cast(*, roundtable_id: int, votes: Sequence[VoteRequest]) -> list[CommandResult | ServiceError]:
    """Record votes in one transaction, in order, each as if it had been cast alone at its place in the
    sequence: returns, per vote, its CommandResult (seq None when it changed nothing) or its error.

    A database error rolls back the whole batch (nothing half-written) and is raised to the caller."""
    outcomes: list[CommandResult | ServiceError | None] = [None] * len(votes)
    with transaction.atomic():
        # Only the seq: a vote reads nothing else of the roundtable (its JSON columns cost a decode).
        roundtable = roundtable_lock(roundtable_id=roundtable_id, seq_only=True)
        voter_ids = {vote.participant_id for vote in votes if vote.participant_id is not None}
        voters = {
            voter.pk: voter
            for voter in Participant.objects.filter(roundtable=roundtable, pk__in=voter_ids).only(
                "pk", "roundtable_id", "role"
            )
        }
        command_ids = {vote.command_id for vote in votes if vote.command_id is not None}
        earlier = (
            {
                (event.actor_id, event.command_id): event
                for event in Event.objects.filter(actor_id__in=voters, command_id__in=command_ids).only(
                    "seq", "data", "private", "command", "actor_id", "command_id"
                )
            }
            if command_ids and voters
            else {}
        )
        # The fields that decide a vote, not the question's opinion map or the proposal's vector.
        proposals = {
            proposal.pk: proposal
            for proposal in Proposal.objects.filter(
                question__roundtable=roundtable, pk__in={vote.proposal_id for vote in votes}
            )
            .select_related("question")
            .only(
                "pk",
                "status",
                "question_id",
                "question__state",
                "question__phase_ends_at",
                "question__tallies_hidden",
            )
        }
        current = {
            (vote.participant_id, vote.proposal_id): vote
            for vote in Vote.objects.filter(proposal_id__in=proposals, participant_id__in=voters).only(
                "pk", "participant_id", "proposal_id", "choice"
            )
        }
        tallies = proposal_tallies(proposal_ids=list(proposals)) if proposals and voters else {}
        choices = {key: vote.choice for key, vote in current.items()}
        written: dict[tuple[int, str], Event] = {}
        events: list[Event] = []
        for index, request in enumerate(votes):
            try:
                outcome = _vote_one(
                    request,
                    voters=voters,
                    earlier=earlier,
                    written=written,
                    proposals=proposals,
                    choices=choices,
                    tallies=tallies,
                    events=events,
                )
            except ServiceError as error:
                outcome = error
            outcomes[index] = outcome
        if events:
            _votes_write(current=current, choices=choices)
            for question_id in sorted({proposals[event.data["proposal"]].question_id for event in events}):
                analysis_request(question_id=question_id)
            events_append(roundtable=roundtable, events=events)
    return [_result(outcome) if isinstance(outcome, Event) else outcome for outcome in outcomes]


def _vote_one(
    request: VoteRequest,
    *,
    voters: dict[int, Participant],
    earlier: dict[tuple[int, str], Event],
    written: dict[tuple[int, str], Event],
    proposals: dict[int, Proposal],
    choices: dict[tuple[int, int], str],
    tallies: dict[int, dict[str, int]],
    events: list[Event],
) -> Event | CommandResult:
    """One vote's outcome at its place in the batch: the checks vote_cast always made, in its order."""
    if request.choice not in VoteChoice.values:
        raise ServiceError("vote_choice_invalid")
    voter = policy_require(participant=voters.get(request.participant_id), action=Action.VOTE_CAST)
    if request.command_id is not None:
        # A retry: of a command written before this batch, or earlier in it.
        first = written.get((voter.pk, request.command_id)) or earlier.get((voter.pk, request.command_id))
        if first is not None:
            if first.command and first.command != VOTE_CAST:
                raise ServiceError("command_id_reused")
            return first
    proposal = proposals.get(request.proposal_id)
    if proposal is None:
        raise ServiceError("proposal_not_found")
    if proposal.status != ProposalStatus.VISIBLE:
        raise ServiceError("proposal_hidden")
    question_require_open(question=proposal.question, for_proposals=False)
    key = (voter.pk, proposal.pk)
    before = choices.get(key)
    if before == request.choice:
        return CommandResult(seq=None, result={"proposal": proposal.pk, "choice": request.choice})
    choices[key] = request.choice
    tally = tallies[proposal.pk]
    if before is not None:
        tally[before] -= 1
    tally[request.choice] += 1
    public_tally = proposal.question.tallies_public
    event = Event(
        kind="vote.cast",
        data={
            "proposal": proposal.pk,
            "question": proposal.question_id,
            # A copy: the batch's later votes move this tally on.
            "tally": dict(tally) if public_tally else None,
        },
        # While tallies are hidden, only staff see them move.
        staff={} if public_tally else {"tally": dict(tally)},
        private={str(voter.pk): {"my_vote": request.choice}},
        # The loaded voter, not its id: the chain records whether the ballot counts (services/chaining.py).
        actor=voter,
        command_id=request.command_id,
        command=VOTE_CAST if request.command_id is not None else "",
    )
    events.append(event)
    if request.command_id is not None:
        written[(voter.pk, request.command_id)] = event
    return event


def _votes_write(*, current: dict[tuple[int, int], Vote], choices: dict[tuple[int, int], str]) -> None:
    """Bring the Vote rows to the batch's final choices: one insert, one update per choice."""
    new = [
        Vote(participant_id=voter_id, proposal_id=proposal_id, choice=choice)
        for (voter_id, proposal_id), choice in choices.items()
        if (voter_id, proposal_id) not in current
    ]
    if new:
        Vote.objects.bulk_create(new)
    changed: dict[str, list[int]] = {}
    for key, vote in current.items():
        if choices[key] != vote.choice:
            changed.setdefault(choices[key], []).append(vote.pk)
    now = timezone.now()
    for choice, pks in sorted(changed.items()):
        Vote.objects.filter(pk__in=pks).update(choice=choice, updated_at=now)
