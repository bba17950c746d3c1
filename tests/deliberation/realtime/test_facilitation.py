"""Steering and moderation through the real protocol, with the four kinds of screens open at once: the
author, another participant, a moderator and a watcher (the projector). Runs on the embedded default
and again on Redis + PostgreSQL (make test)."""

import asyncio

import pytest
from channels.db import database_sync_to_async
from django.contrib.auth import get_user_model

from deliberation.models import Event, Proposal, ProposalStatus, Role, Vote
from deliberation.selectors import audit_log, roundtable_snapshot
from tests.factories import ParticipantFactory, ProposalFactory, RoundtableFactory
from tests.support.ws import connect

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]


@database_sync_to_async
def room(flag_threshold: int = 3):
    roundtable = RoundtableFactory(flag_threshold=flag_threshold)
    moderator_account = get_user_model().objects.create_user(username="mo", email="mo@example.org")
    people = {
        "ana": ParticipantFactory(roundtable=roundtable, display_name="Ana", actor_type="government-local"),
        "ben": ParticipantFactory(roundtable=roundtable, display_name="Ben", actor_type="sme"),
        "cleo": ParticipantFactory(roundtable=roundtable, display_name="Cleo", actor_type="citizen"),
        "mo": ParticipantFactory(
            roundtable=roundtable, display_name="Mo", role=Role.MODERATOR, user=moderator_account
        ),
    }
    return roundtable, people


async def open_all(roundtable, people, *names):
    clients = {}
    for name in names:
        clients[name], _ = await connect(roundtable, people.get(name))
    return clients


async def close_all(clients):
    for client in clients.values():
        await client.close()


def first_question(roundtable):
    return roundtable.questions.get(order=1).pk


async def test_premoderation_shows_a_proposal_only_to_its_author_and_moderators_until_approved():
    roundtable, people = await room()
    question = await database_sync_to_async(first_question)(roundtable)
    clients = await open_all(roundtable, people, "ana", "ben", "mo", "watcher")
    switched = await clients["mo"].command("question.settings", question=question, premoderation=True)
    assert switched["type"] == "ack"
    for client in clients.values():
        [event] = await client.events(1)
        assert event["data"]["question"]["premoderation"] is True

    ack = await clients["ana"].command("proposal.submit", question=question, text="Cupos por tipo de actor")
    proposal_id = ack["result"]["proposal"]

    seen = {name: (await client.events(1))[0]["data"]["proposal"] for name, client in clients.items()}
    assert seen["ana"]["status"] == "pending" and seen["ana"]["text"] == "Cupos por tipo de actor"
    assert seen["mo"]["status"] == "pending" and seen["mo"]["author"]["name"] == "Ana"
    assert seen["ben"] is None and seen["watcher"] is None
    refused = await clients["ben"].command("vote.cast", proposal=proposal_id, choice="agree")
    assert refused["code"] == "proposal_hidden"

    @database_sync_to_async
    def visible_to(name):
        snapshot = roundtable_snapshot(roundtable=roundtable, viewer=people.get(name))
        return proposal_id in {p["id"] for p in snapshot["proposals"]}

    assert [await visible_to(n) for n in ("ana", "mo", "ben", "watcher")] == [True, True, False, False]

    approved = await clients["mo"].command("proposal.approve", proposal=proposal_id)
    assert approved["type"] == "ack"
    after = {name: (await client.events(1))[0]["data"] for name, client in clients.items()}
    assert {name: data["proposal"]["status"] for name, data in after.items()} == dict.fromkeys(
        clients, "visible"
    )
    assert after["ana"]["notice"] == "approve", "the author is told"
    assert "notice" not in after["ben"]
    assert await visible_to("ben") and await visible_to("watcher")
    await close_all(clients)


async def test_hiding_tells_the_author_why_and_takes_it_off_everyone_elses_screen():
    roundtable, people = await room()
    proposal = await database_sync_to_async(ProposalFactory)(author=people["ana"], text="Buy my product")
    clients = await open_all(roundtable, people, "ana", "ben", "mo", "watcher")

    reply = await clients["mo"].command("proposal.hide", proposal=proposal.pk, reason="  Advertising \n")

    assert reply["type"] == "ack"
    seen = {name: (await client.events(1))[0]["data"] for name, client in clients.items()}
    assert seen["ana"]["proposal"]["status"] == "hidden"
    assert seen["ana"]["proposal"]["hidden_reason"] == "Advertising"
    assert seen["ana"]["notice"] == "hide"
    assert seen["ben"]["proposal"] is None and seen["watcher"]["proposal"] is None
    assert "hidden_reason" not in str(seen["ben"]), "the reason is the author's and the moderators' only"
    assert seen["mo"]["proposal"]["status"] == "hidden"
    empty = await clients["mo"].command("proposal.hide", proposal=proposal.pk, reason="   ")
    assert empty["code"] == "hide_reason_invalid"
    await close_all(clients)


async def test_hidden_tallies_reach_moderators_only_until_the_question_locks():
    roundtable, people = await room()
    question = await database_sync_to_async(first_question)(roundtable)
    proposal = await database_sync_to_async(ProposalFactory)(author=people["ana"])
    clients = await open_all(roundtable, people, "ben", "mo", "watcher")
    await clients["mo"].command("question.settings", question=question, tallies_hidden=True)
    for client in clients.values():
        await client.events(1)

    await clients["ben"].command("vote.cast", proposal=proposal.pk, choice="agree")

    seen = {name: (await client.events(1))[0]["data"] for name, client in clients.items()}
    assert seen["watcher"]["tally"] is None
    assert seen["ben"]["tally"] is None and seen["ben"]["my_vote"] == "agree"
    assert seen["mo"]["tally"] == {"agree": 1, "disagree": 0, "pass": 0}

    await clients["mo"].command("question.phase", question=question, state="locked")
    revealed = {name: (await client.events(1))[0]["data"] for name, client in clients.items()}
    for data in revealed.values():
        assert data["proposals"][str(proposal.pk)]["tally"] == {"agree": 1, "disagree": 0, "pass": 0}
    assert revealed["ben"]["question"]["state"] == "locked"
    await close_all(clients)


async def test_anonymous_authorship_hides_names_on_public_screens_but_not_from_moderators():
    roundtable, people = await room()
    question = await database_sync_to_async(first_question)(roundtable)
    clients = await open_all(roundtable, people, "ben", "mo", "watcher")
    await clients["mo"].command("question.settings", question=question, anonymous=True)
    for client in clients.values():
        await client.events(1)

    await clients["ben"].command("proposal.submit", question=question, text="Anonymous idea")

    seen = {
        name: (await client.events(1))[0]["data"]["proposal"]["author"] for name, client in clients.items()
    }
    assert seen["watcher"] == {"name": None, "actor_type": "sme"}
    assert seen["ben"]["name"] is None
    assert seen["mo"] == {"name": "Ben", "actor_type": "sme"}
    await close_all(clients)


async def test_merging_duplicates_moves_votes_and_never_counts_a_person_twice():
    roundtable, people = await room()
    survivor = await database_sync_to_async(ProposalFactory)(author=people["ana"], text="Open budgets")
    duplicate = await database_sync_to_async(ProposalFactory)(author=people["ben"], text="Budgets open")
    clients = await open_all(roundtable, people, "ana", "ben", "cleo", "mo")
    # Cleo votes on both (differently); Ana only on the duplicate; Ben only on the survivor.
    for name, proposal, choice in [
        ("cleo", survivor, "agree"),
        ("cleo", duplicate, "disagree"),
        ("ana", duplicate, "agree"),
        ("ben", survivor, "pass"),
    ]:
        assert (await clients[name].command("vote.cast", proposal=proposal.pk, choice=choice))[
            "type"
        ] == "ack"
    for client in clients.values():
        await client.events(4)

    reply = await clients["mo"].command("proposal.merge", proposal=duplicate.pk, into=survivor.pk)

    assert reply["type"] == "ack" and reply["result"] == {"proposal": survivor.pk}
    seen = {name: (await client.events(1))[0]["data"] for name, client in clients.items()}
    assert seen["cleo"]["survivor"]["tally"] == {"agree": 2, "disagree": 0, "pass": 1}
    assert seen["ana"]["survivor_my_vote"] == "agree", "Ana's vote followed to the survivor"
    assert "survivor_my_vote" not in seen["cleo"], "Cleo's vote on the survivor stands"
    assert seen["cleo"]["proposal"] is None
    assert seen["ben"]["proposal"]["status"] == "merged" and seen["ben"]["notice"] == "merge"

    @database_sync_to_async
    def votes():
        return sorted(Vote.objects.values_list("participant__display_name", "proposal_id", "choice"))

    assert await votes() == [
        ("Ana", survivor.pk, "agree"),
        ("Ben", survivor.pk, "pass"),
        ("Cleo", survivor.pk, "agree"),
    ]
    again = await clients["mo"].command("proposal.merge", proposal=duplicate.pk, into=survivor.pk)
    assert again["code"] == "proposal_status_conflict"
    await close_all(clients)


async def test_enough_flags_hold_a_proposal_for_review_and_a_person_counts_once(settings):
    # Seats of any age count here; tests/deliberation/test_audit_seats.py checks that fresh ones do not.
    settings.ROUNDTABLE_FLAG_MIN_SEAT_AGE_SECONDS = 0
    roundtable, people = await room(flag_threshold=2)
    proposal = await database_sync_to_async(ProposalFactory)(author=people["ana"])
    clients = await open_all(roundtable, people, "ana", "ben", "cleo", "mo")

    first = await clients["ben"].command("proposal.flag", proposal=proposal.pk)
    twice = await clients["ben"].command("proposal.flag", proposal=proposal.pk)
    own = await clients["ana"].command("proposal.flag", proposal=proposal.pk)
    assert first["type"] == "ack" and twice["seq"] is None and own["code"] == "flag_own"
    [after_one] = await clients["cleo"].events(1)
    assert after_one["data"]["proposal"]["status"] == "visible"

    await clients["cleo"].command("proposal.flag", proposal=proposal.pk)

    held = (await clients["ben"].events(2))[-1]
    assert held["data"]["proposal"] is None
    [staff_view] = (await clients["mo"].events(2))[-1:]
    assert staff_view["data"]["proposal"]["status"] == "pending"
    assert staff_view["data"]["proposal"]["flags"] == 2 and staff_view["data"]["proposal"]["flagged"]
    [author_view] = (await clients["ana"].events(2))[-1:]
    assert author_view["data"]["notice"] == "flag"
    await close_all(clients)


async def test_moderators_see_who_is_connected_by_actor_type_and_by_question(settings):
    settings.ROUNDTABLE_PRESENCE_SECONDS = 0.1
    roundtable, people = await room()
    question = await database_sync_to_async(first_question)(roundtable)
    clients = await open_all(roundtable, people, "ana", "ben", "watcher", "mo")
    await clients["ana"].send({"type": "presence", "question": question})

    deadline = asyncio.get_running_loop().time() + 5
    while True:
        frame = await clients["mo"].receive()
        if frame["type"] == "presence" and frame["by_question"]:
            break
        assert asyncio.get_running_loop().time() < deadline, "no presence with Ana on question 1"
    assert frame["connected"] == {"total": 2, "by_actor_type": {"government-local": 1, "sme": 1}}
    assert frame["by_question"] == {str(question): {"total": 1, "by_actor_type": {"government-local": 1}}}
    assert frame["staff"] == 1 and frame["watchers"] == 1
    # Presence is reported every 0.1 s here: a participant would get frames within this half second.
    assert await clients["ben"].nothing_more(0.5), "presence is for staff only"
    await close_all(clients)


async def test_a_countdown_ends_the_phase_by_itself_once(settings):
    settings.ROUNDTABLE_TIMER_TICK_SECONDS = 0.1
    roundtable, people = await room()
    question = await database_sync_to_async(first_question)(roundtable)
    clients = await open_all(roundtable, people, "ben", "mo")

    started = await clients["mo"].command(
        "question.phase", question=question, state="collecting", duration_seconds=1
    )

    assert started["type"] == "ack"
    [timer] = await clients["ben"].events(1)
    assert timer["data"]["question"]["phase_ends_at"] and timer["data"]["question"]["phase_then"] == "voting"
    [ended] = await clients["ben"].events(1)
    assert ended["data"]["action"] == "timer"
    assert ended["data"]["question"] | {"phase_ends_at": None} == ended["data"]["question"]
    assert ended["data"]["question"]["state"] == "voting"
    refused = await clients["ben"].command("proposal.submit", question=question, text="Too late")
    assert refused["code"] == "question_not_collecting"
    await asyncio.sleep(0.5)
    fired = await database_sync_to_async(
        lambda: Event.objects.filter(roundtable=roundtable, data__action="timer").count()
    )()
    assert fired == 1
    await close_all(clients)


async def test_bad_moderation_input_gets_clear_errors_and_changes_nothing():
    roundtable, people = await room()
    question = await database_sync_to_async(first_question)(roundtable)
    proposal = await database_sync_to_async(ProposalFactory)(author=people["ana"])
    mo, _ = await connect(roundtable, people["mo"])
    before = await database_sync_to_async(lambda: Event.objects.count())()

    replies = [
        await mo.command("question.phase", question=question, state="voting", duration_seconds=99999),
        await mo.command(
            "question.phase", question=question, state="voting", duration_seconds=60, then="voting"
        ),
        await mo.command("question.phase", question=question, state="paused"),
        await mo.command("proposal.edit", proposal=proposal.pk, text=proposal.text),
        await mo.command("proposal.merge", proposal=proposal.pk, into=proposal.pk),
        await mo.command("proposal.approve", proposal=proposal.pk),
        await mo.command("proposal.pin", proposal=999999, pinned=True),
    ]

    assert [reply.get("code") for reply in replies] == [
        "timer_invalid",
        "timer_invalid_then",
        "invalid",
        "text_unchanged",
        "merge_invalid",
        "proposal_status_conflict",
        "proposal_not_found",
    ]
    assert all(reply["message"] for reply in replies)
    assert await database_sync_to_async(lambda: Event.objects.count())() == before
    assert (await mo.command("proposal.pin", proposal=proposal.pk, pinned=True))["type"] == "ack"
    await mo.close()


async def test_the_audit_log_records_every_moderation_action_with_who_and_when(settings):
    settings.ROUNDTABLE_FLAG_MIN_SEAT_AGE_SECONDS = 0
    roundtable, people = await room(flag_threshold=1)
    question = await database_sync_to_async(first_question)(roundtable)
    a = await database_sync_to_async(ProposalFactory)(author=people["ana"])
    b = await database_sync_to_async(ProposalFactory)(author=people["ben"])
    c = await database_sync_to_async(ProposalFactory)(author=people["cleo"])
    mo, _ = await connect(roundtable, people["mo"])
    ben, _ = await connect(roundtable, people["ben"])
    steps = [
        (mo, "question.settings", {"question": question, "premoderation": True}),
        (mo, "question.phase", {"question": question, "state": "collecting", "duration_seconds": 600}),
        (mo, "roundtable.show_question", {"question": question + 1}),
        (mo, "proposal.edit", {"proposal": a.pk, "text": "Corrected"}),
        (mo, "proposal.pin", {"proposal": a.pk, "pinned": True}),
        (mo, "proposal.hide", {"proposal": b.pk, "reason": "Rude"}),
        (mo, "proposal.restore", {"proposal": b.pk}),
        (ben, "proposal.flag", {"proposal": c.pk}),
        (mo, "proposal.approve", {"proposal": c.pk}),
        (mo, "proposal.merge", {"proposal": c.pk, "into": a.pk}),
    ]
    for client, type_, fields in steps:
        assert (await client.command(type_, **fields))["type"] == "ack", type_

    log = await database_sync_to_async(audit_log)(roundtable=roundtable)

    assert [row["action"] for row in reversed(log)] == [
        "settings",
        "phase",
        "show_question",
        "edit",
        "pin",
        "hide",
        "restore",
        "flag",
        "approve",
        "merge",
    ]
    by_action = {row["action"]: row for row in log}
    assert by_action["hide"]["actor"] == "Mo" and by_action["hide"]["email"] == "mo@example.org"
    assert by_action["hide"]["details"] == {"reason": "Rude", "was": "visible"}
    assert by_action["edit"]["details"]["after"] == "Corrected"
    assert by_action["flag"]["actor"] == "Ben" and by_action["flag"]["details"] == {
        "flags": 1,
        "counted": 1,
        "held": True,
    }
    assert all(row["at"] is not None and row["role"] for row in log)
    assert (
        await database_sync_to_async(lambda: Proposal.objects.get(pk=c.pk).status)() == ProposalStatus.MERGED
    )
    await mo.close()
    await ben.close()


async def test_the_projector_socket_sees_the_public_view_even_in_a_moderators_browser():
    roundtable, people = await room()
    await database_sync_to_async(ProposalFactory)(author=people["ana"], status=ProposalStatus.PENDING)
    from channels.testing import WebsocketCommunicator

    from roundtable.asgi import application
    from tests.support.ws import ORIGIN, Client, _session_cookie

    cookie = await database_sync_to_async(_session_cookie)(people["mo"])
    communicator = WebsocketCommunicator(
        application,
        f"/ws/r/{roundtable.code}/?view=public",
        headers=[(b"origin", ORIGIN), (b"host", b"127.0.0.1:8000"), (b"cookie", cookie)],
    )
    assert (await communicator.connect())[0]
    screen = Client(communicator)
    snapshot = await screen.receive()

    assert snapshot["me"] is None and snapshot["proposals"] == []
    refused = await screen.command("question.phase", question=snapshot["questions"][0]["id"], state="voting")
    assert refused["code"] == "not_joined", "the screen is read-only"
    await screen.close()
