"""Walk the whole permission table through the real protocol: every action, every role, and nobody."""

import pytest
from channels.db import database_sync_to_async

from deliberation.models import Role
from deliberation.policy import PERMISSIONS, Action
from tests.factories import ParticipantFactory, ProposalFactory, RoundtableFactory
from tests.support.ws import connect

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]


def command_for(action: Action, *, question_id: int, proposal_id: int) -> tuple[str, dict]:
    return {
        Action.PROPOSAL_SUBMIT: ("proposal.submit", {"question": question_id, "text": "A proposal"}),
        Action.VOTE_CAST: ("vote.cast", {"proposal": proposal_id, "choice": "agree"}),
    }[action]


def test_every_action_is_covered_by_this_walk():
    for action in Action:
        command_for(action, question_id=1, proposal_id=1)


@pytest.mark.parametrize("action", list(Action))
@pytest.mark.parametrize("role", [*Role.values, None])
async def test_each_role_may_do_exactly_what_the_table_allows(action, role):
    @database_sync_to_async
    def scene():
        roundtable = RoundtableFactory()
        proposal = ProposalFactory(author=ParticipantFactory(roundtable=roundtable))
        actor = ParticipantFactory(roundtable=roundtable, role=role) if role else None
        return roundtable, proposal, actor

    roundtable, proposal, actor = await scene()
    client, snapshot = await connect(roundtable, actor)
    type_, fields = command_for(action, question_id=snapshot["questions"][0]["id"], proposal_id=proposal.pk)

    reply = await client.command(type_, **fields)

    if role is not None and role in PERMISSIONS[action]:
        assert reply["type"] == "ack", reply
    else:
        assert (reply["type"], reply["code"]) == ("error", "not_joined" if role is None else "forbidden")
    await client.close()
