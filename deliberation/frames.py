"""The JSON frames of the live protocol (docs/protocol.md) that more than one layer builds.

An event is serialised once, when it is published or read back, and the text is shared by every
connection that sends it; only its actor may get a second text with their private part."""

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from deliberation.models import Event

PROTOCOL_VERSION = 1


def frame_dumps(frame: dict[str, Any]) -> str:
    return json.dumps(frame, ensure_ascii=False, separators=(",", ":"))


@dataclass(frozen=True, slots=True)
class EventText:
    seq: int
    text: str
    actor_id: int | None = None
    actor_text: str | None = None

    def for_viewer(self, viewer_id: int | None) -> str:
        if self.actor_text is not None and viewer_id is not None and viewer_id == self.actor_id:
            return self.actor_text
        return self.text

    def as_message(self) -> list:
        """A form every channel layer carries (msgpack for Redis)."""
        return [self.seq, self.text, self.actor_id, self.actor_text]

    @classmethod
    def from_message(cls, item: list) -> "EventText":
        return cls(*item)


def event_item(event: Event, *, for_actor: bool) -> dict[str, Any]:
    data = {**event.data, **event.private} if for_actor else event.data
    return {"seq": event.seq, "kind": event.kind, "data": data}


def event_text(event: Event) -> EventText:
    return EventText(
        seq=event.seq,
        text=frame_dumps(event_item(event, for_actor=False)),
        actor_id=event.actor_id,
        actor_text=frame_dumps(event_item(event, for_actor=True)) if event.private else None,
    )


def events_frame_text(texts: Iterable[str]) -> str:
    """`{"type":"events","events":[...]}` from event texts already serialised."""
    return '{"type":"events","events":[' + ",".join(texts) + "]}"
