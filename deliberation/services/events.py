import logging
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

from deliberation.frames import event_frame, frame_dumps
from deliberation.models import Event, Participant, Roundtable

logger = logging.getLogger(__name__)

GROUP_MESSAGE_TYPE = "roundtable.event"


def roundtable_lock(*, roundtable_id: int) -> Roundtable:
    """Lock the roundtable row for the rest of the transaction: commands on one roundtable take turns,
    so seqs are gapless and every event's data (a tally, say) is true as of its seq."""
    return Roundtable.objects.select_for_update().get(pk=roundtable_id)


def event_record(
    *,
    roundtable: Roundtable,
    kind: str,
    data: dict[str, Any],
    private: dict[str, Any] | None = None,
    actor: Participant | None = None,
    command_id: str | None = None,
) -> Event:
    """Append the next Event; the caller holds roundtable_lock inside transaction.atomic."""
    roundtable.last_seq += 1
    roundtable.save(update_fields=["last_seq"])
    event = Event.objects.create(
        roundtable=roundtable,
        seq=roundtable.last_seq,
        kind=kind,
        data=data,
        private=private or {},
        actor=actor,
        command_id=command_id,
    )
    transaction.on_commit(lambda: event_publish(event=event))
    return event


def event_publish(*, event: Event) -> None:
    """Fan the event out to everyone connected to its roundtable, serialised once for all of them.

    A lost publish loses nothing: the event is in the table and consumers fill gaps from it."""
    message = {
        "type": GROUP_MESSAGE_TYPE,
        "seq": event.seq,
        "frame": frame_dumps(event_frame(event, for_actor=False)),
        "actor_id": event.actor_id,
        "actor_frame": frame_dumps(event_frame(event, for_actor=True)) if event.private else None,
    }
    try:
        async_to_sync(get_channel_layer().group_send)(event.roundtable.group_name, message)
    except Exception:
        logger.exception("publishing event %s failed; consumers will read it back", event)
