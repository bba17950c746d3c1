import asyncio
import logging
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

from deliberation.frames import event_text
from deliberation.models import Event, Participant, Roundtable

logger = logging.getLogger(__name__)

GROUP_MESSAGE_TYPE = "roundtable.events"


def roundtable_lock(*, roundtable_id: int) -> Roundtable:
    """Lock the roundtable row for the rest of the transaction: commands on one roundtable take turns,
    so seqs are gapless and every event's data (a tally, say) is true as of its seq."""
    # The texts and lists in JSON are not needed to decide a command; decoding them every time is.
    return (
        Roundtable.objects.select_for_update()
        .defer("title", "event_name", "objectives", "actor_types")
        .get(pk=roundtable_id)
    )


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
) -> Event:
    """Append the next Event; the caller holds roundtable_lock inside transaction.atomic.

    `staff` is laid over `data` for moderators and organizers; `private` maps participant ids (as
    strings) to what is laid over it for that person alone. `rewrote_history`: the transaction rewrote
    earlier events (services/history.py), so replay memories drop their copies when this one arrives."""
    roundtable.last_seq += 1
    roundtable.save(update_fields=["last_seq"])
    event = Event.objects.create(
        roundtable=roundtable,
        seq=roundtable.last_seq,
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
    transaction.on_commit(lambda: event_publish(event=event))
    return event


def event_publish(*, event: Event) -> None:
    """Hand the event, serialised once, to every process's hub for its roundtable (realtime/hub.py).

    In a server, the send is handed to the event loop without waiting for it: the command's thread is
    free for the next command at once, instead of waiting for the loop to finish handing out the last
    batch. A lost publish loses nothing: the event is in the table and hubs read it back."""
    group, message = (
        event.roundtable.group_name,
        {"type": GROUP_MESSAGE_TYPE, "events": [event_text(event).as_message()]},
    )
    loop = _serving_loop
    if loop is not None and loop.is_running():
        loop.call_soon_threadsafe(lambda: loop.create_task(_group_send(group, message)))
    else:
        async_to_sync(_group_send)(group, message)


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
