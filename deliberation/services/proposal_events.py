"""The audiences of an event about one proposal: what the public, staff, its author and the people who
voted on or flagged it each receive (the layers of Event.data, Event.staff and Event.private)."""

from typing import Any

from deliberation.models import Flag, Proposal, ProposalStatus, Question, Vote
from deliberation.selectors import (
    AUTHOR,
    PUBLIC,
    STAFF,
    proposal_flag_counts,
    proposal_tallies,
    proposal_tally,
    proposal_view,
)


def proposal_layers(
    *, proposal: Proposal, question: Question, with_voters: bool = False
) -> tuple[dict[str, Any], dict[str, Any], dict[str, dict[str, Any]]]:
    """(public view, staff view, private parts by participant id) for `proposal` as it now stands.

    With `with_voters`, everyone who voted on or flagged it gets their vote and flag back: needed when
    the proposal reappears to the public (approved, restored), since their screens had dropped it."""
    tally = proposal_tally(proposal_id=proposal.pk)
    flags = proposal_flag_counts(proposal_ids=[proposal.pk]).get(proposal.pk, 0)
    view = {"proposal": proposal_view(proposal=proposal, question=question, tally=tally, audience=PUBLIC)}
    staff = {
        "proposal": proposal_view(
            proposal=proposal, question=question, tally=tally, audience=STAFF, flags=flags
        )
    }
    private: dict[str, dict[str, Any]] = {}
    if with_voters:
        for voter_id, choice in Vote.objects.filter(proposal=proposal).values_list(
            "participant_id", "choice"
        ):
            private.setdefault(str(voter_id), {})["my_vote"] = choice
        for flagger_id in Flag.objects.filter(proposal=proposal).values_list("participant_id", flat=True):
            private.setdefault(str(flagger_id), {})["my_flag"] = True
    own = private.setdefault(str(proposal.author_id), {})
    own["mine"] = True
    own["proposal"] = proposal_view(proposal=proposal, question=question, tally=tally, audience=AUTHOR)
    return view, staff, private


def proposal_event_data(*, proposal: Proposal, action: str) -> dict[str, Any]:
    return {"id": proposal.pk, "question": proposal.question_id, "action": action}


def proposals_views(*, proposals: list[Proposal]) -> tuple[dict, dict, dict[str, dict[str, Any]]]:
    """Many proposals as the public, staff and each author see them, for events that change how a whole
    set looks (a switch on a question, a person anonymised): (public, staff, private parts). The public
    part maps each visible proposal's id to its view; an author with a proposal the public cannot see
    gets the whole set with theirs in it."""
    ids = [proposal.pk for proposal in proposals]
    tallies = proposal_tallies(proposal_ids=ids)
    flags = proposal_flag_counts(proposal_ids=ids)
    public: dict[str, Any] = {}
    staff: dict[str, Any] = {}
    own: dict[int, dict[str, Any]] = {}
    for proposal in proposals:
        common = {"proposal": proposal, "question": proposal.question, "tally": tallies[proposal.pk]}
        if proposal.status == ProposalStatus.VISIBLE:
            public[str(proposal.pk)] = proposal_view(**common, audience=PUBLIC)
        else:
            own.setdefault(proposal.author_id, {})[str(proposal.pk)] = proposal_view(
                **common, audience=AUTHOR
            )
        staff[str(proposal.pk)] = proposal_view(**common, audience=STAFF, flags=flags.get(proposal.pk, 0))
    private = {str(author): {"proposals": {**public, **views}} for author, views in own.items()}
    return public, staff, private
