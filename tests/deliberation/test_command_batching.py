"""Votes written in batches (group commit, deliberation/realtime/batching.py and services/votes.py) keep
every promise a vote cast alone kept: each its own event with the next seq and a tally true as of it,
a command id taking effect once, one vote per person and proposal, each vote's own error, and events
that bring any reader from their snapshot to a fresh one.

The socket test runs through the real ASGI application on the configured database and channel layer
(SQLite and the in-process layer; PostgreSQL and Redis in `make test`'s second live run)."""

import asyncio
import random
import threading
from collections import Counter

import pytest
from channels.db import database_sync_to_async
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext

from deliberation.chain import GENESIS, event_hash
from deliberation.errors import ServiceError
from deliberation.models import Event, ProposalStatus, Role, Roundtable, Vote
from deliberation.realtime.batching import command_queued
from deliberation.selectors import proposal_tally, roundtable_snapshot_for
from deliberation.services.commands import CommandResult
from deliberation.services.proposals import proposal_submit
from deliberation.services.votes import VoteRequest, vote_cast, votes_cast
from tests.factories import ParticipantFactory, ProposalFactory, RoundtableFactory
from tests.support.state import state_apply_event, state_from_snapshot
from tests.support.ws import connect

PEOPLE = 24
VOTES_EACH = 5


def _room(people: int, proposals: int = 3):
    roundtable = RoundtableFactory(capacity=people + 10)
    seats = [ParticipantFactory(roundtable=roundtable, display_name=f"P{n}") for n in range(people)]
    ideas = [ProposalFactory(author=seats[n]) for n in range(proposals)]
    return roundtable, seats, ideas


def _event_rows(roundtable_id: int) -> list[Event]:
    return list(Event.objects.filter(roundtable_id=roundtable_id).order_by("seq"))


# Through real sockets, everyone at once ------------------------------------------------------------------


@pytest.mark.live
@pytest.mark.django_db(transaction=True)
async def test_a_room_voting_at_once_gets_one_gapless_seq_per_vote_and_tallies_equal_to_the_votes(settings):
    # No analysis run in the middle: every event of the test is a vote's.
    settings.ROUNDTABLE_ANALYSIS_INTERVAL_SECONDS = 3600
    roundtable, seats, ideas = await database_sync_to_async(_room)(PEOPLE)
    start_seq = await database_sync_to_async(lambda: Roundtable.objects.get(pk=roundtable.pk).last_seq)()
    watcher, watcher_snapshot = await connect(roundtable)
    sockets = [await connect(roundtable, seat) for seat in seats]
    rng = random.Random(17)
    plans = []
    for index, _seat in enumerate(seats):
        frames = [
            {
                "type": "vote.cast",
                "id": f"p{index}-v{n}",
                "proposal": rng.choice(ideas).pk,
                "choice": rng.choice(["agree", "disagree", "pass"]),
            }
            for n in range(VOTES_EACH)
        ]
        # A retry of the first command (the client did not hear its ack), sent while it is queued.
        frames.insert(2, frames[0])
        plans.append(frames)

    async def vote(client, frames):
        for frame in frames:
            await client.send(frame)
        return [await client.reply_to(frame["id"]) for frame in frames]

    replies = await asyncio.gather(
        *(vote(client, frames) for (client, _snapshot), frames in zip(sockets, plans, strict=True))
    )

    events = await database_sync_to_async(_event_rows)(roundtable.pk)
    last_seq = await database_sync_to_async(lambda: Roundtable.objects.get(pk=roundtable.pk).last_seq)()
    assert [event.seq for event in events] == list(range(1, last_seq + 1)), "gapless, nothing half-written"
    # Every event of the batches is on the hash chain, in seq order, and the head moved with them.
    prev = GENESIS
    for event in events:
        assert event.hash == event_hash(
            prev=prev, seq=event.seq, kind=event.kind, leaves=event.chain["leaves"]
        )
        prev = event.hash
    head = await database_sync_to_async(lambda: Roundtable.objects.get(pk=roundtable.pk).chain_head)()
    assert head == prev
    assert sum("ballot" in event.chain["records"] for event in events) == last_seq - start_seq
    acked: dict[tuple[int, str], int | None] = {}
    for seat, frames, answers in zip(seats, plans, replies, strict=True):
        assert [answer["type"] for answer in answers] == ["ack"] * len(frames), answers
        assert answers[2] == answers[0], "a retried command id is answered with its first outcome"
        for frame, answer in zip(frames, answers, strict=True):
            acked[(seat.pk, frame["id"])] = answer["seq"]
    seqs = [seq for seq in acked.values() if seq is not None]
    assert len(seqs) == len(set(seqs)), "every vote that changed something has a seq of its own"
    assert sorted(seqs) == list(range(start_seq + 1, last_seq + 1)), "and together they are the log"
    by_seq = {event.seq: event for event in events}
    assert Counter((by_seq[seq].actor_id, by_seq[seq].command_id) for seq in seqs) == Counter(
        key for key, seq in acked.items() if seq is not None
    ), "each acknowledged command wrote exactly one event, its own"

    votes = await database_sync_to_async(list)(Vote.objects.filter(proposal__in=ideas))
    assert len({(vote.participant_id, vote.proposal_id) for vote in votes}) == len(votes)
    last_choice = {}
    for event in events:
        if event.kind == "vote.cast":
            last_choice[(event.actor_id, event.data["proposal"])] = event.private[str(event.actor_id)][
                "my_vote"
            ]
    assert {(v.participant_id, v.proposal_id): v.choice for v in votes} == last_choice, (
        "the vote that stands is each person's last acknowledged one"
    )
    for idea in ideas:
        rows = Counter(vote.choice for vote in votes if vote.proposal_id == idea.pk)
        last_tally = next(
            e.data["tally"]
            for e in reversed(events)
            if e.kind == "vote.cast" and e.data["proposal"] == idea.pk
        )
        assert last_tally == {choice: rows.get(choice, 0) for choice in ("agree", "disagree", "pass")}
        assert last_tally == await database_sync_to_async(proposal_tally)(proposal_id=idea.pk)

    # What each reader was sent brings their snapshot to a fresh one: a watcher, and every voter (each
    # named in a few events of batches that name many: their own frame is the shared one with those
    # few texts swapped in).
    readers = [(watcher, watcher_snapshot, None)]
    readers += [(*socket, seat) for socket, seat in zip(sockets, seats, strict=True)]
    for client, snapshot, viewer in readers:
        state = state_from_snapshot(snapshot)
        for event in await client.events(last_seq - snapshot["seq"]):
            state_apply_event(state, event)
        fresh = await database_sync_to_async(roundtable_snapshot_for)(
            roundtable_id=roundtable.pk, participant_id=viewer.pk if viewer else None
        )
        assert state == state_from_snapshot(fresh)
    for client in [watcher, *(client for client, _ in sockets)]:
        await client.close()


# The batch service: each vote's outcome is the one it would have had alone ----------------------------


def _scene():
    roundtable, seats, ideas = _room(4, proposals=2)
    hidden = ProposalFactory(author=seats[0], status=ProposalStatus.HIDDEN, hidden_reason="Off topic")
    moderator = ParticipantFactory(roundtable=roundtable, role=Role.MODERATOR)
    return roundtable, seats, ideas, hidden, moderator


def _sequence(seats, ideas, hidden):
    """(participant, proposal, choice, command id): retries, changes, no-ops and errors, interleaved."""
    ana, ben, chloe, _dan = seats
    first, second = ideas
    return [
        (ana, first, "agree", "a1"),
        (ben, first, "disagree", "b1"),
        (ana, first, "agree", "a1"),  # a retry: the first outcome again
        (chloe, hidden, "agree", "c1"),  # proposal_hidden
        (None, first, "agree", "x1"),  # not_joined
        (ana, first, "pass", "a2"),  # a change: the tally moves agree → pass
        (ben, first, "disagree", "b2"),  # the same choice again: no event
        (chloe, second, "maybe", "c2"),  # vote_choice_invalid
        (chloe, first, "agree", "used"),  # command_id_reused (given to a proposal before)
        (ben, second, "agree", None),  # no command id
        (ana, first, "agree", "a3"),  # and back
    ]


def _normalised(outcome, ideas):
    if isinstance(outcome, ServiceError):
        return ("error", outcome.code)
    result = dict(outcome.result)
    result["proposal"] = ideas[result["proposal"]]
    return ("ok", outcome.seq is None, result)


def _events_normalised(roundtable_id, seats, ideas, after_seq):
    return [
        (
            event.seq - after_seq,
            event.kind,
            ideas[event.data["proposal"]],
            event.data["tally"],
            {seats[int(key)]: value for key, value in event.private.items()},
            seats.get(event.actor_id),
            event.command_id,
        )
        for event in Event.objects.filter(roundtable_id=roundtable_id, seq__gt=after_seq).order_by("seq")
    ]


@pytest.mark.django_db
def test_a_batch_gives_every_vote_the_outcome_it_would_have_had_alone():
    outcomes = {}
    for mode in ("alone", "batch"):
        roundtable, seats, ideas, hidden, _moderator = _scene()
        # Ids differ between the two rooms: compare by name.
        seat_names = {seat.pk: f"seat{n}" for n, seat in enumerate(seats)}
        idea_names = {idea.pk: f"idea{n}" for n, idea in enumerate(ideas)} | {hidden.pk: "hidden"}
        proposal_submit(
            roundtable_id=roundtable.pk,
            participant_id=seats[2].pk,
            question_id=ideas[0].question_id,
            text="An idea",
            command_id="used",
        )
        after = Roundtable.objects.get(pk=roundtable.pk).last_seq
        steps = _sequence(seats, ideas, hidden)
        requests = [
            VoteRequest(
                participant_id=who.pk if who else None,
                proposal_id=proposal.pk,
                choice=choice,
                command_id=command_id,
            )
            for who, proposal, choice, command_id in steps
        ]
        if mode == "batch":
            results = votes_cast(roundtable_id=roundtable.pk, votes=requests)
        else:
            results = []
            for request in requests:
                try:
                    results.append(vote_cast(roundtable_id=roundtable.pk, **request.__dict__))
                except ServiceError as error:
                    results.append(error)
        outcomes[mode] = (
            [_normalised(result, idea_names) for result in results],
            [
                result.seq - after if isinstance(result, CommandResult) and result.seq else None
                for result in results
            ],
            _events_normalised(roundtable.pk, seat_names, idea_names, after),
            sorted(
                (seat_names[v.participant_id], idea_names[v.proposal_id], v.choice)
                for v in Vote.objects.filter(proposal__in=ideas)
            ),
        )

    assert outcomes["batch"] == outcomes["alone"]
    results, seqs, events, votes = outcomes["batch"]
    assert [r[1] for r in results if r[0] == "error"] == [
        "proposal_hidden",
        "not_joined",
        "vote_choice_invalid",
        "command_id_reused",
    ]
    assert seqs == [1, 2, 1, None, None, 3, None, None, None, 4, 5]
    # Each event's tally is the one true as of its seq, not the batch's final count.
    assert [(event[0], event[2], event[3]) for event in events] == [
        (1, "idea0", {"agree": 1, "disagree": 0, "pass": 0}),
        (2, "idea0", {"agree": 1, "disagree": 1, "pass": 0}),
        (3, "idea0", {"agree": 0, "disagree": 1, "pass": 1}),
        (4, "idea1", {"agree": 1, "disagree": 0, "pass": 0}),
        (5, "idea0", {"agree": 1, "disagree": 1, "pass": 0}),
    ]
    assert votes == [("seat0", "idea0", "agree"), ("seat1", "idea0", "disagree"), ("seat1", "idea1", "agree")]


@pytest.mark.django_db
def test_hidden_tallies_move_only_in_the_staff_layer_of_each_batched_vote():
    roundtable, seats, ideas, _hidden, _moderator = _scene()
    question = ideas[0].question
    question.tallies_hidden = True
    question.save()
    votes_cast(
        roundtable_id=roundtable.pk,
        votes=[
            VoteRequest(participant_id=seat.pk, proposal_id=ideas[0].pk, choice="agree") for seat in seats
        ],
    )
    events = list(Event.objects.filter(roundtable=roundtable, kind="vote.cast").order_by("seq"))
    assert [event.data["tally"] for event in events] == [None] * 4
    assert [event.staff["tally"]["agree"] for event in events] == [1, 2, 3, 4]


@pytest.mark.django_db
def test_a_batch_of_a_hundred_votes_costs_the_statements_of_a_batch_of_ten():
    roundtable, seats, ideas = _room(100, proposals=5)

    def statements(voters, choice):
        requests = [
            VoteRequest(
                participant_id=seat.pk, proposal_id=ideas[n % 5].pk, choice=choice, command_id=f"{choice}{n}"
            )
            for n, seat in enumerate(voters)
        ]
        with CaptureQueriesContext(connection) as queries:
            outcomes = votes_cast(roundtable_id=roundtable.pk, votes=requests)
        assert all(isinstance(outcome, CommandResult) and outcome.seq for outcome in outcomes)
        # Django lets SQLite take 999 parameters a statement: with the chain's two columns an INSERT
        # holds 76 events there, so 90 events are two (PostgreSQL: one UNNEST insert for any number).
        events = [query for query in queries if query["sql"].startswith('INSERT INTO "deliberation_event"')]
        assert len(events) <= 1 + len(voters) // 76
        return len(queries) - len(events)

    # New votes, then changed ones (inserts, then updates).
    assert statements(seats[:10], "agree") == statements(seats[10:], "agree")
    assert statements(seats[:10], "pass") == statements(seats[10:], "pass")


# The queue itself: what arrives while a batch is written forms the next; one conflict fails no other --


async def _queue_run(run_batch, frames, roundtable_id):
    """Submit the first frame, and the others while the first one's batch is on the database thread."""
    started = threading.Event()
    release = threading.Event()

    def held(roundtable_id, items):
        if not started.is_set():
            started.set()
            release.wait(10)
        return run_batch(roundtable_id, items)

    def submit(frame):
        return asyncio.ensure_future(
            command_queued(roundtable_id=roundtable_id, run_batch=held, frame=frame, caller=None)
        )

    first = submit(frames[0])
    await asyncio.to_thread(started.wait, 10)
    others = [submit(frame) for frame in frames[1:]]
    await asyncio.sleep(0.05)
    release.set()
    return await asyncio.gather(first, *others, return_exceptions=True)


async def test_commands_arriving_while_a_batch_is_written_share_the_next_and_each_gets_its_own_answer():
    batches: list[list[int]] = []

    def run_batch(_roundtable_id, items):
        batches.append([frame for frame, _caller in items])
        return [
            ServiceError("vote_choice_invalid") if frame == 3 else CommandResult(seq=frame, result={})
            for frame, _caller in items
        ]

    outcomes = await _queue_run(run_batch, list(range(6)), roundtable_id=1)

    # The first finds the queue idle and is written alone; the five queued meanwhile go together.
    assert batches == [[0], [1, 2, 3, 4, 5]]
    assert [getattr(outcome, "seq", None) for outcome in outcomes] == [0, 1, 2, None, 4, 5]
    assert isinstance(outcomes[3], ServiceError) and outcomes[3].code == "vote_choice_invalid"


async def test_a_conflict_in_a_batch_is_retried_one_by_one_and_fails_only_its_own_command():
    batches: list[list[str]] = []

    def run_batch(_roundtable_id, items):
        frames = [frame for frame, _caller in items]
        batches.append(frames)
        if "clash" in frames:
            raise IntegrityError("the lock should have prevented this")
        return [CommandResult(seq=len(batches), result={"frame": frame}) for frame in frames]

    outcomes = await _queue_run(run_batch, ["first", "a", "clash", "b"], roundtable_id=2)

    assert batches == [["first"], ["a", "clash", "b"], ["a"], ["clash"], ["b"]]
    assert [outcomes[n].result["frame"] for n in (0, 1, 3)] == ["first", "a", "b"]
    assert isinstance(outcomes[2], IntegrityError)
