"""Rate limits and connection limits of the live protocol, through the real ASGI stack. Runs on the
embedded default (counters in-process) and again on Redis + PostgreSQL (counters in Redis)."""

import asyncio

import pytest
from channels.db import database_sync_to_async

from deliberation.models import Event, Proposal
from tests.factories import ParticipantFactory, ProposalFactory, RoundtableFactory
from tests.support.ws import connect

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]


@database_sync_to_async
def room():
    roundtable = RoundtableFactory()
    return roundtable, ParticipantFactory(roundtable=roundtable, language="es")


@database_sync_to_async
def count(model) -> int:
    return model.objects.count()


async def test_a_participant_gets_a_clear_error_past_their_proposal_limit_across_all_their_tabs(settings):
    settings.ROUNDTABLE_RATE_LIMITS = {**settings.ROUNDTABLE_RATE_LIMITS, "proposal.submit": (2, 60)}
    roundtable, ana = await room()
    tab_one, snapshot = await connect(roundtable, ana)
    tab_two, _ = await connect(roundtable, ana)
    question = snapshot["questions"][0]["id"]

    first = await tab_one.command("proposal.submit", id="one-1", question=question, text="Uno")
    second = await tab_two.command("proposal.submit", id="two-1", question=question, text="Dos")
    third = await tab_one.command("proposal.submit", id="one-2", question=question, text="Tres")

    assert first["type"] == second["type"] == "ack"
    assert third["type"] == "error" and third["code"] == "rate_limited"
    assert third["retryable"] is True and 1 <= third["retry_after"] <= 60
    assert third["message"].startswith("Vas demasiado rápido. Vuelve a intentarlo en ")
    assert await count(Proposal) == 2
    proposal = await database_sync_to_async(ProposalFactory)(author=ana)
    vote = await tab_one.command("vote.cast", proposal=proposal.pk, choice="agree")
    assert vote["type"] == "ack", "other actions and the socket still work"
    await tab_one.close()
    await tab_two.close()


async def test_a_flood_from_one_connection_is_cut_and_the_socket_recovers(settings):
    settings.ROUNDTABLE_CONNECTION_FRAME_BURST = 5
    settings.ROUNDTABLE_CONNECTION_FRAMES_PER_SECOND = 10
    roundtable, ana = await room()
    client, _ = await connect(roundtable, ana)
    events_before = await count(Event)

    for _ in range(20):
        await client.send("not json")
    replies = [await client.receive() for _ in range(20)]

    codes = [reply["code"] for reply in replies]
    assert codes[:5] == ["bad_frame"] * 5
    assert set(codes[5:]) == {"rate_limited"}
    await asyncio.sleep(0.3)
    await client.send("still not json")
    assert (await client.receive())["code"] == "bad_frame", "tokens come back"
    assert await count(Event) == events_before
    await client.close()


async def test_connections_per_address_are_limited_and_freed_on_close(settings):
    settings.ROUNDTABLE_MAX_CONNECTIONS_PER_IP = 2
    roundtable, ana = await room()
    first, _ = await connect(roundtable, ana, address="203.0.113.9")
    second, _ = await connect(roundtable, None, address="203.0.113.9")
    other_address, _ = await connect(roundtable, None, address="198.51.100.4")

    third, _ = await connect(roundtable, ana, address="203.0.113.9", since=0, language="es")
    refused = await third.receive()
    closed = await third.communicator.receive_output(timeout=3)

    assert refused["code"] == "too_many_connections" and refused["retryable"] is True
    assert (
        refused["message"]
        == "Demasiadas conexiones desde tu red. Cierra otras pestañas y vuelve a intentarlo."
    )
    assert closed == {"type": "websocket.close", "code": 4429}
    await first.close()
    again, snapshot = await connect(roundtable, ana, address="203.0.113.9")
    assert snapshot["me"]["display_name"] == ana.display_name
    for client in (second, other_address, again):
        await client.close()


async def test_a_client_cannot_name_a_channel_layer_handler():
    """A frame's type is only a key into the command whitelist: handler and message names of the server
    (the hub's group message, Channels' own websocket events, consumer methods) are unknown types."""
    roundtable, ana = await room()
    client, _ = await connect(roundtable, ana)
    for type_ in ["roundtable.events", "roundtable.presence", "websocket.disconnect", "deliver", "receive"]:
        reply = await client.command(type_)
        assert reply["code"] == "unknown_type", type_
    assert (await client.command("resume", seq=0))["type"] == "ack", "the socket is still usable"
    await client.close()


async def test_a_moderator_may_send_a_long_draft_that_a_participant_could_not(settings):
    """Drafts are longer than proposals: staff frames may reach ROUNDTABLE_MAX_STAFF_FRAME_BYTES; a
    participant's stop at ROUNDTABLE_MAX_FRAME_BYTES, and a draft past its character limit is refused."""
    roundtable, ana = await room()
    moderator = await database_sync_to_async(ParticipantFactory)(roundtable=roundtable, role="moderator")
    staff, snapshot = await connect(roundtable, moderator)
    participant, _ = await connect(roundtable, ana)
    question = snapshot["questions"][0]["id"]
    long_text = "Conclusions, paragraph after paragraph.\n\n" * 400  # 16,800 characters
    assert settings.ROUNDTABLE_MAX_FRAME_BYTES < len(long_text) < settings.ROUNDTABLE_DRAFT_MAX_CHARS

    saved = await staff.command("draft.save", question=question, base_version=0, text=long_text)
    assert saved["type"] == "ack" and saved["result"]["version"] == 1

    await participant.send(
        {"type": "draft.save", "id": "p1", "question": question, "base_version": 0, "text": long_text}
    )
    refused = await participant.receive()
    while refused["type"] != "error":  # the moderator's save reached this socket first
        refused = await participant.receive()
    assert (refused["type"], refused["code"]) == ("error", "frame_too_large")

    too_long = await staff.command(
        "draft.save", question=question, base_version=1, text="x" * (settings.ROUNDTABLE_DRAFT_MAX_CHARS + 1)
    )
    assert (too_long["code"], too_long["details"]) == (
        "text_too_long",
        {"limit": settings.ROUNDTABLE_DRAFT_MAX_CHARS},
    )
    again = await staff.command("draft.save", question=question, base_version=1, text=long_text + "One more.")
    assert again["type"] == "ack", "the connection stays open and usable"
