"""The same person votes on the same proposal from two tabs at once, a thousand times: one vote stands.
Through two real sockets of one session, on SQLite and again on PostgreSQL (make test)."""

import asyncio
import random

import pytest
from channels.db import database_sync_to_async

from deliberation.models import Event, Vote
from deliberation.selectors import proposal_tally
from tests.factories import ParticipantFactory, ProposalFactory, RoundtableFactory
from tests.support.ws import connect

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]

VOTES = 1000


async def test_a_thousand_votes_from_two_tabs_at_once_leave_exactly_one_vote(settings):
    settings.ROUNDTABLE_RATE_LIMITS = {**settings.ROUNDTABLE_RATE_LIMITS, "vote.cast": (VOTES * 2, 60)}
    settings.ROUNDTABLE_CONNECTION_FRAME_BURST = VOTES
    roundtable = await database_sync_to_async(RoundtableFactory)()
    ana = await database_sync_to_async(ParticipantFactory)(roundtable=roundtable)
    proposal = await database_sync_to_async(ProposalFactory)(author=ana)
    tabs = [(await connect(roundtable, ana))[0] for _ in range(2)]
    rng = random.Random(7)
    choices = [rng.choice(["agree", "disagree", "pass"]) for _ in range(VOTES)]

    async def tab_votes(tab, index):
        ids = []
        for n in range(index, VOTES, 2):
            ids.append(f"tab{index}-{n}")
            await tab.send(
                {"type": "vote.cast", "id": ids[-1], "proposal": proposal.pk, "choice": choices[n]}
            )
        return [await tab.reply_to(command_id) for command_id in ids]

    replies = [
        reply
        for batch in await asyncio.gather(tab_votes(tabs[0], 0), tab_votes(tabs[1], 1))
        for reply in batch
    ]

    assert {reply["type"] for reply in replies} == {"ack"}
    votes = await database_sync_to_async(list)(Vote.objects.filter(proposal=proposal, participant=ana))
    assert len(votes) == 1
    tally = await database_sync_to_async(proposal_tally)(proposal_id=proposal.pk)
    assert sum(tally.values()) == 1 and tally[votes[0].choice] == 1
    last_event = await database_sync_to_async(
        lambda: Event.objects.filter(kind="vote.cast").order_by("-seq").first()
    )()
    assert last_event.private[str(ana.pk)]["my_vote"] == votes[0].choice, (
        "the vote that stands is the last one"
    )
    for tab in tabs:
        await tab.close()
