import asyncio
import logging
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

from deliberation.frames import event_text
from deliberation.models import Event, Participant, Roundtable
from deliberation.services.chaining import events_chain

logger = logging.getLogger(__name__)

GROUP_MESSAGE_TYPE = "roundtable.events"


def roundtable_lock(*, roundtable_id: int, seq_only: bool = False) -> Roundtable:
    """Lock the roundtable row for the rest of the transaction: commands on one roundtable take turns,
    so seqs are gapless and every event's data (a tally, say) is true as of its seq.

    `seq_only`: read nothing but the seq (a vote needs no more; any other field still loads on use)."""
    locked = Roundtable.objects.select_for_update()
    if seq_only:
        # And the chain's head and key: every event written is sealed onto the chain (services/chaining.py).
        return locked.only("pk", "last_seq", "chain_head", "chain_key").get(pk=roundtable_id)
    # The texts and lists in JSON are not needed to decide a command; decoding them every time is.
    return locked.defer("title", "event_name", "objectives", "actor_types").get(pk=roundtable_id)


def event_record(
    *,
    roundtable: Roundtable,
    kind: str,
    data: dict[str, Any],
    staff: dict[str, Any] | None = None,
    private: dict[str, dict[str, Any]] | None = None,
    actor: Participant | None = None,
    command_id: str | None = None,
    rewrote_history: bool = False,
    records: dict[str, Any] | None = None,
) -> Event:
    """Append the next Event; the caller holds roundtable_lock inside transaction.atomic.

    `staff` is laid over `data` for moderators and organizers; `private` maps participant ids (as
    strings) to what is laid over it for that person alone. `rewrote_history`: the transaction rewrote
    earlier events (services/history.py), so replay memories drop their copies when this one arrives.
    `records`: what this event commits to on the chain besides its layers (services/chaining.py)."""
    event = Event(
        kind=kind,
        data=data,
        staff=staff or {},
        private=private or {},
        actor=actor,
        command_id=command_id,
        # Set by command_begin on the roundtable it locked for this command.
        command=getattr(roundtable, "command_action", "") if command_id is not None else "",
        rewrote_history=rewrote_history,
    )
    [event] = events_append(roundtable=roundtable, events=[event], records=records)
    return event


def events_append(
    *, roundtable: Roundtable, events: list[Event], records: dict[str, Any] | None = None
) -> list[Event]:
    """Append several events at once (a batch of votes), numbered from the next seq in their order:
    one update of the roundtable's seq and one insert, for any number; the caller holds roundtable_lock
    inside transaction.atomic and built each Event (kind, layers, actor, command) without a seq.
    After commit, they reach the hubs in one channel-layer message.

    Each is hashed onto the roundtable's chain here, in seq order and in the same transaction, so no
    event is ever written unchained (services/chaining.py)."""
    if not events:
        return events
    for offset, event in enumerate(events, start=1):
        event.roundtable = roundtable
        event.seq = roundtable.last_seq + offset
    roundtable.last_seq += len(events)
    events_chain(roundtable=roundtable, events=events, records=records)
    roundtable.save(update_fields=["last_seq", "chain_head"])
    Event.objects.bulk_create(events)
    transaction.on_commit(lambda: events_publish(events=events))
    return events


# Events of one commit per channel-layer message, at most (a message stays well under Redis's limits).
PUBLISH_CHUNK = 200


def events_publish(*, events: list[Event]) -> None:
    """Hand the events, each serialised once, to every process's hub for its roundtable (realtime/hub.py).

    In a server, the send is handed to the event loop without waiting for it: the command's thread is
    free for the next command at once, instead of waiting for the loop to finish handing out the last
    batch. A lost publish loses nothing: the event is in the table and hubs read it back. Events of
    one commit (a batch of votes) share a message, in seq order."""
    group = events[0].roundtable.group_name
    texts = [event_text(event).as_message() for event in events]
    loop = _serving_loop
    for start in range(0, len(texts), PUBLISH_CHUNK):
        message = {"type": GROUP_MESSAGE_TYPE, "events": texts[start : start + PUBLISH_CHUNK]}
        if loop is not None and not loop.is_closed():
            # Handed over, never waited for: a loop Daphne stopped on SIGTERM (it does not close it) never
            # runs the send, and async_to_sync from this thread (an analysis run ending during the stop)
            # would wait for it for ever, so the process ignored SIGTERM until SIGKILL. Other processes'
            # hubs read such events back from the table.
            try:
                loop.call_soon_threadsafe(_send_soon, loop, group, message)
                continue
            except RuntimeError:  # closed meanwhile: an earlier test's loop
                pass
        async_to_sync(_group_send)(group, message)


def _send_soon(loop: asyncio.AbstractEventLoop, group: str, message: dict) -> None:
    loop.create_task(_group_send(group, message))


async def _group_send(group: str, message: dict) -> None:
    try:
        await get_channel_layer().group_send(group, message)
    except Exception:
        logger.exception("publishing %s failed; hubs will read it back", message["events"][0][0])


_serving_loop: asyncio.AbstractEventLoop | None = None


def event_publishing_bind(*, loop: asyncio.AbstractEventLoop) -> None:
    """Called from the serving event loop (by realtime/hub.py) so publishes need not wait for it."""
    global _serving_loop
    _serving_loop = loop
