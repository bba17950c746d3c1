"""The live protocol (docs/protocol.md) through the real ASGI stack. Runs on the embedded default and
again on Redis + PostgreSQL (make test)."""

import json

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from deliberation.models import Event, Proposal, ProposalStatus, Vote
from roundtable.asgi import application
from tests.factories import ParticipantFactory, ProposalFactory, RoundtableFactory
from tests.support.ws import connect

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]


@database_sync_to_async
def room(**participants_by_name):
    roundtable = RoundtableFactory()
    people = {
        name: ParticipantFactory(roundtable=roundtable, display_name=name, language=language)
        for name, language in participants_by_name.items()
    }
    return roundtable, people


@database_sync_to_async
def counts():
    return (Proposal.objects.count(), Vote.objects.count(), Event.objects.count())


async def test_a_proposal_reaches_the_other_participant_with_the_next_seq():
    roundtable, people = await room(ana="es", ben="en")
    ana, ana_snapshot = await connect(roundtable, people["ana"])
    ben, ben_snapshot = await connect(roundtable, people["ben"])
    question_id = ana_snapshot["questions"][0]["id"]
    assert ana_snapshot["me"]["display_name"] == "ana"
    assert ben_snapshot["seq"] == ana_snapshot["seq"]

    ack = await ana.command("proposal.submit", question=question_id, text="Mesas de diálogo por barrio")

    assert ack["type"] == "ack" and ack["seq"] == ana_snapshot["seq"] + 1
    [event] = await ben.events(1)
    assert event["seq"] == ben_snapshot["seq"] + 1
    assert event["kind"] == "proposal.submitted"
    proposal = event["data"]["proposal"]
    assert proposal["text"] == "Mesas de diálogo por barrio"
    assert proposal["language"] == "es"
    assert proposal["author"] == {"name": "ana", "actor_type": "civil-society"}
    assert "mine" not in event["data"]
    [own] = await ana.events(1)
    assert own["seq"] == event["seq"] and own["data"]["mine"] is True
    await ana.close()
    await ben.close()


async def test_a_new_vote_replaces_the_old_one_and_everyone_sees_the_tally():
    roundtable, people = await room(ana="en", ben="en")
    proposal = await database_sync_to_async(ProposalFactory)(author=people["ana"])
    ana, _ = await connect(roundtable, people["ana"])
    ben, _ = await connect(roundtable, people["ben"])

    first = await ben.command("vote.cast", proposal=proposal.pk, choice="agree")
    second = await ben.command("vote.cast", proposal=proposal.pk, choice="disagree")

    assert first["type"] == second["type"] == "ack"
    events = await ana.events(2)
    assert [e["data"]["tally"] for e in events] == [
        {"agree": 1, "disagree": 0, "pass": 0},
        {"agree": 0, "disagree": 1, "pass": 0},
    ]
    assert all("my_vote" not in e["data"] for e in events), "another person's vote choice leaked"
    own = await ben.events(2)
    assert [e["data"]["my_vote"] for e in own] == ["agree", "disagree"]
    votes = await database_sync_to_async(list)(
        Vote.objects.values_list("participant__display_name", "choice")
    )
    assert votes == [("ben", "disagree")]
    await ana.close()
    await ben.close()


async def test_the_same_vote_again_changes_nothing_and_sends_no_event():
    roundtable, people = await room(ana="en", ben="en")
    proposal = await database_sync_to_async(ProposalFactory)(author=people["ana"])
    ana, _ = await connect(roundtable, people["ana"])
    ben, _ = await connect(roundtable, people["ben"])
    await ben.command("vote.cast", proposal=proposal.pk, choice="pass")
    await ana.events(1)

    again = await ben.command("vote.cast", proposal=proposal.pk, choice="pass")

    assert again["type"] == "ack" and again["seq"] is None
    assert await ana.nothing_more()
    await ana.close()
    await ben.close()


async def test_reconnecting_with_since_replays_exactly_the_missed_events():
    roundtable, people = await room(ana="en", ben="en")
    ana, snapshot = await connect(roundtable, people["ana"])
    ben, _ = await connect(roundtable, people["ben"])
    question_id = snapshot["questions"][0]["id"]
    await ben.close()
    last_seen = snapshot["seq"]

    sent = []
    for text in ("One", "Two", "Three"):
        ack = await ana.command("proposal.submit", question=question_id, text=text)
        sent.append(ack["seq"])
    live_frames = await ana.events(3)
    vote = await ana.command("vote.cast", proposal=live_frames[0]["data"]["proposal"]["id"], choice="agree")
    sent.append(vote["seq"])

    ben, _ = await connect(roundtable, people["ben"], since=last_seen)
    frame = await ben.receive()
    replayed = frame["events"]

    assert frame["type"] == "events", "a replay comes as one frame"
    assert [e["seq"] for e in replayed] == sent == list(range(last_seen + 1, last_seen + 5))
    assert [e["data"]["proposal"]["text"] for e in replayed[:3]] == ["One", "Two", "Three"]
    assert replayed[3]["data"]["tally"] == {"agree": 1, "disagree": 0, "pass": 0}
    assert await ben.nothing_more()

    # A resume on an open socket replays the same events again, then acknowledges.
    await ben.send({"type": "resume", "id": "r1", "seq": last_seen + 2})
    again = await ben.receive()
    assert again == {"type": "events", "events": replayed[2:]}
    assert await ben.receive() == {"type": "ack", "id": "r1", "seq": last_seen + 4, "result": {}}
    await ana.close()
    await ben.close()


async def test_reconnecting_from_too_far_behind_gets_a_fresh_snapshot(settings):
    settings.ROUNDTABLE_REPLAY_LIMIT = 2
    roundtable, people = await room(ana="en", ben="en")
    ana, snapshot = await connect(roundtable, people["ana"])
    for text in ("One", "Two", "Three"):
        await ana.command("proposal.submit", question=snapshot["questions"][0]["id"], text=text)
    # Once the process's hub has handed the three out (Ana's socket has them), it knows Ben is too far
    # behind. (Before that, over Redis, it replays what it has and the rest follows live: nothing lost.)
    await ana.events(3)

    ben, _ = await connect(roundtable, people["ben"], since=snapshot["seq"])
    frame = await ben.receive()

    assert frame["type"] == "snapshot" and frame["seq"] == snapshot["seq"] + 3
    assert [p["text"] for p in frame["proposals"]] == ["One", "Two", "Three"]
    await ana.close()
    await ben.close()


async def test_a_repeated_command_id_takes_effect_once():
    roundtable, people = await room(ana="en", ben="en")
    ana, snapshot = await connect(roundtable, people["ana"])
    ben, _ = await connect(roundtable, people["ben"])
    frame = {
        "type": "proposal.submit",
        "id": "retry-1",
        "question": snapshot["questions"][0]["id"],
        "text": "Once",
    }

    await ana.send(frame)
    first = await ana.reply_to("retry-1")
    await ana.send(frame)
    second = await ana.reply_to("retry-1")

    assert first == second
    assert first["type"] == "ack" and first["result"]["proposal"] > 0
    assert len(await ben.events(1)) == 1
    assert await ben.nothing_more()
    assert (await counts())[0] == 1
    await ana.close()
    await ben.close()


BAD_FRAMES = [
    ("not json", "{oops", "bad_frame"),
    ("json but not an object", "[1, 2]", "bad_frame"),
    ("unknown type", {"type": "proposal.delete_all", "id": "x"}, "unknown_type"),
    ("type is not a string", {"type": 7, "id": "x"}, "unknown_type"),
    ("missing fields", {"type": "proposal.submit", "id": "x"}, "invalid"),
    ("wrong field type", {"type": "vote.cast", "id": "x", "proposal": "1", "choice": "agree"}, "invalid"),
    ("unknown vote choice", {"type": "vote.cast", "id": "x", "proposal": 1, "choice": "maybe"}, "invalid"),
    (
        "extra field",
        {"type": "vote.cast", "id": "x", "proposal": 1, "choice": "agree", "admin": True},
        "invalid",
    ),
    (
        "oversized frame",
        json.dumps({"type": "proposal.submit", "id": "x", "question": 1, "text": "a" * 9000}),
        "frame_too_large",
    ),
]


@pytest.mark.parametrize(("label", "frame", "code"), BAD_FRAMES, ids=[case[0] for case in BAD_FRAMES])
async def test_a_bad_frame_gets_an_error_writes_nothing_and_leaves_the_socket_open(label, frame, code):
    roundtable, people = await room(ana="en")
    ana, snapshot = await connect(roundtable, people["ana"])
    before = await counts()

    await ana.send(frame)
    error = await ana.receive()

    assert error["type"] == "error" and error["code"] == code, error
    assert error["message"]
    assert await counts() == before
    ack = await ana.command("proposal.submit", question=snapshot["questions"][0]["id"], text="Still here")
    assert ack["type"] == "ack"
    await ana.close()


async def test_a_binary_frame_gets_an_error():
    roundtable, people = await room(ana="en")
    ana, _ = await connect(roundtable, people["ana"])
    await ana.communicator.send_to(bytes_data=b"\x00\x01")
    assert (await ana.receive())["code"] == "bad_frame"
    await ana.close()


async def test_rule_breaking_commands_get_a_clear_error_and_write_nothing(settings):
    settings.ROUNDTABLE_PROPOSAL_MAX_CHARS = 50
    roundtable, people = await room(ana="en")

    @database_sync_to_async
    def proposals():
        hidden = ProposalFactory(author=people["ana"], status=ProposalStatus.HIDDEN)
        closed_question = roundtable.questions.get(order=3)
        return hidden, closed_question

    hidden, closed_question = await proposals()
    ana, snapshot = await connect(roundtable, people["ana"])
    open_question = snapshot["questions"][0]["id"]
    before = await counts()

    cases = [
        ("proposal.submit", {"question": open_question, "text": "x" * 51}, "text_too_long"),
        ("proposal.submit", {"question": open_question, "text": " \n\t "}, "text_empty"),
        ("proposal.submit", {"question": closed_question.pk, "text": "Too early"}, "question_not_collecting"),
        ("proposal.submit", {"question": 999999, "text": "Nowhere"}, "question_not_found"),
        ("vote.cast", {"proposal": hidden.pk, "choice": "agree"}, "proposal_hidden"),
        ("vote.cast", {"proposal": 999999, "choice": "agree"}, "proposal_not_found"),
    ]
    for type_, fields, code in cases:
        reply = await ana.command(type_, **fields)
        assert (reply["type"], reply["code"]) == ("error", code), (type_, fields, reply)
    assert "50" in (await ana.command("proposal.submit", question=open_question, text="y" * 60))["message"]
    assert await counts() == before
    await ana.close()


async def test_someone_not_in_the_roundtable_can_watch_but_not_act():
    roundtable, people = await room(ana="en")
    _other_roundtable, strangers = await room(zoe="en")
    proposal = await database_sync_to_async(ProposalFactory)(author=people["ana"])
    before = await counts()

    anonymous, snapshot = await connect(roundtable)
    # zoe's session names a participant of another roundtable: she is nobody here.
    zoe, zoe_snapshot = await connect(roundtable, strangers["zoe"])

    assert snapshot["me"] is None and zoe_snapshot["me"] is None
    assert [p["id"] for p in snapshot["proposals"]] == [proposal.pk]
    for client in (anonymous, zoe):
        reply = await client.command("vote.cast", proposal=proposal.pk, choice="agree")
        assert (reply["type"], reply["code"]) == ("error", "not_joined")
        reply = await client.command("proposal.submit", question=snapshot["questions"][0]["id"], text="Hi")
        assert reply["code"] == "not_joined"
    assert await counts() == before
    await anonymous.close()
    await zoe.close()


async def test_errors_come_in_the_participants_language():
    roundtable, people = await room(lucia="es", louise="fr")
    lucia, snapshot = await connect(roundtable, people["lucia"])
    louise, _ = await connect(roundtable, people["louise"])
    closed = snapshot["questions"][2]["id"]

    spanish = await lucia.command("proposal.submit", question=closed, text="Hola")
    french = await louise.command("proposal.submit", question=closed, text="Bonjour")

    assert spanish["code"] == french["code"] == "question_not_collecting"
    assert spanish["message"] == "Esta pregunta no está recibiendo propuestas en este momento."
    assert french["message"] == "Cette question ne reçoit pas de propositions pour le moment."
    await lucia.close()
    await louise.close()


async def test_staff_errors_follow_the_browsers_language_like_their_pages_do():
    """A moderator's seat is made in the roundtable's first language, but their console is rendered in
    their browser's language (cookie, then Accept-Language): the frames on its socket must match."""
    roundtable, _ = await room(ana="en")
    moderator = await database_sync_to_async(ParticipantFactory)(
        roundtable=roundtable, role="moderator", actor_type="", language="en"
    )
    by_header, snapshot = await connect(roundtable, moderator, accept_language="fr-FR,fr;q=0.9,en;q=0.5")
    by_cookie, _ = await connect(roundtable, moderator, language="es", accept_language="fr-FR")
    unknown = {"question": snapshot["questions"][0]["id"], "base_version": 99, "text": "x"}

    french = await by_header.command("draft.save", **unknown)
    spanish = await by_cookie.command("draft.save", **unknown)

    assert french["code"] == spanish["code"] == "draft_version_invalid"
    assert french["message"].startswith("Cette version du brouillon n")
    assert spanish["message"].startswith("Esta versión del borrador no existe")
    await by_header.close()
    await by_cookie.close()


async def test_a_socket_from_a_foreign_origin_is_refused():
    roundtable, _ = await room(ana="en")
    communicator = WebsocketCommunicator(
        application, f"/ws/r/{roundtable.code}/", headers=[(b"origin", b"https://evil.example")]
    )
    connected, _ = await communicator.connect()
    assert not connected


async def test_an_unknown_roundtable_closes_the_socket_with_a_clear_code():
    communicator = WebsocketCommunicator(
        application,
        "/ws/r/NOPE42/",
        # A browser sends the page's Host with its Origin: the origin check compares the two.
        headers=[(b"origin", b"http://127.0.0.1:8000"), (b"host", b"127.0.0.1:8000")],
    )
    connected, code = await communicator.connect()
    assert not connected and code == 4404
    await communicator.disconnect()
