"""Events reach clients in seq order, exactly once, even when their publishes arrive out of order or
never arrive (the hub reads the missing ones back from the Event table)."""

import asyncio

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer

from deliberation.frames import event_text
from deliberation.models import Event
from deliberation.selectors import participant_counts
from deliberation.services.events import GROUP_MESSAGE_TYPE
from tests.factories import ParticipantFactory, RoundtableFactory
from tests.support.ws import connect

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]


@database_sync_to_async
def append_events_without_publishing(roundtable, count):
    """Commit events as a service would, but keep their publishes back (as if they were lost)."""
    events = []
    for _ in range(count):
        roundtable.last_seq += 1
        roundtable.save(update_fields=["last_seq"])
        events.append(
            Event.objects.create(
                roundtable=roundtable,
                seq=roundtable.last_seq,
                kind="participant.joined",
                data={"participants": participant_counts(roundtable=roundtable)},
            )
        )
    return events


async def publish(roundtable, events):
    message = {"type": GROUP_MESSAGE_TYPE, "events": [event_text(e).as_message() for e in events]}
    await get_channel_layer().group_send(roundtable.group_name, message)


async def setup():
    roundtable = await database_sync_to_async(RoundtableFactory)()
    ana = await database_sync_to_async(ParticipantFactory)(roundtable=roundtable)
    client, snapshot = await connect(roundtable, ana)
    return roundtable, client, snapshot


async def test_publishes_arriving_out_of_order_are_delivered_in_order():
    roundtable, client, snapshot = await setup()
    first, second, third = await append_events_without_publishing(roundtable, 3)

    await publish(roundtable, [third])
    await publish(roundtable, [first])
    await publish(roundtable, [second])

    events = await client.events(3)
    assert [e["seq"] for e in events] == [snapshot["seq"] + 1, snapshot["seq"] + 2, snapshot["seq"] + 3]
    assert await client.nothing_more()
    await client.close()


async def test_a_lost_publish_is_read_back_from_the_event_table():
    roundtable, client, _snapshot = await setup()
    lost, arrives = await append_events_without_publishing(roundtable, 2)

    await publish(roundtable, [arrives])

    events = await client.events(2)
    assert [e["seq"] for e in events] == [lost.seq, arrives.seq]
    assert await client.nothing_more()
    await client.close()


async def test_a_duplicate_publish_is_delivered_once():
    roundtable, client, _snapshot = await setup()
    [event] = await append_events_without_publishing(roundtable, 1)

    await asyncio.gather(publish(roundtable, [event]), publish(roundtable, [event]))

    assert [e["seq"] for e in await client.events(1)] == [event.seq]
    assert await client.nothing_more()
    await client.close()


async def test_a_lost_publish_between_two_delivered_ones_is_read_back():
    roundtable, client, _snapshot = await setup()
    first, lost, third = await append_events_without_publishing(roundtable, 3)

    await publish(roundtable, [first])
    assert [e["seq"] for e in await client.events(1)] == [first.seq]
    await publish(roundtable, [third])

    assert [e["seq"] for e in await client.events(2)] == [lost.seq, third.seq]
    assert await client.nothing_more()
    await client.close()


async def test_a_missing_event_that_arrives_in_time_fills_the_gap_in_order():
    roundtable, client, _snapshot = await setup()
    first, second, third = await append_events_without_publishing(roundtable, 3)

    await publish(roundtable, [first, third])
    await publish(roundtable, [second])

    assert [e["seq"] for e in await client.events(3)] == [first.seq, second.seq, third.seq]
    await client.close()


async def test_a_gap_left_behind_a_delivered_run_is_read_back_without_waiting_for_more_events():
    roundtable, client, _snapshot = await setup()
    first, lost, third = await append_events_without_publishing(roundtable, 3)

    await publish(roundtable, [first, third])

    assert [e["seq"] for e in await client.events(3)] == [first.seq, lost.seq, third.seq]
    await client.close()
