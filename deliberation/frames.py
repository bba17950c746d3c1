"""The JSON frames of the live protocol (docs/protocol.md) that more than one layer builds.

An event is serialised once, when it is published or read back, and the text is shared by every
connection that sends it; only its actor may get a second text with their private part."""

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from deliberation.models import Event

PROTOCOL_VERSION = 2


# No client frame nests deeper than this (a command's fields, a list of ids): deeper is an attack.
MAX_FRAME_DEPTH = 8


def frame_dumps(frame: dict[str, Any]) -> str:
    return json.dumps(frame, ensure_ascii=False, separators=(",", ":"))


def frame_loads(text: str) -> Any:
    """A client frame's JSON, or ValueError: unreadable, or nested deeper than MAX_FRAME_DEPTH (a frame
    nested thousands deep makes the parser raise RecursionError, not ValueError)."""
    try:
        frame = json.loads(text)
    except RecursionError as error:
        raise ValueError("nested too deep") from error
    if _depth_exceeds(frame, MAX_FRAME_DEPTH):
        raise ValueError("nested too deep")
    return frame


def _depth_exceeds(value: Any, budget: int) -> bool:
    if isinstance(value, dict):
        value = list(value.values())
    elif not isinstance(value, list):
        return False
    if budget == 0:
        return True
    return any(_depth_exceeds(item, budget - 1) for item in value)


@dataclass(frozen=True, slots=True)
class EventText:
    """One event, serialised once per audience: `text` for the public, `staff_text` for moderators and
    organizers (None when it is the same), and `personal[participant id]` = [text, staff-based text]
    for the people the event says something to alone (their own vote, their hidden proposal)."""

    seq: int
    text: str
    staff_text: str | None = None
    personal: dict[str, list[str]] | None = None
    # Earlier events were rewritten with this one (Event.rewrote_history): copies of them are stale.
    rewrote_history: bool = False

    def for_viewer(self, viewer_id: int | None, *, staff: bool = False) -> str:
        if self.personal and viewer_id is not None and (own := self.personal.get(str(viewer_id))):
            return own[1] if staff else own[0]
        if staff and self.staff_text is not None:
            return self.staff_text
        return self.text

    @property
    def recipients(self) -> frozenset[int]:
        return frozenset(int(key) for key in self.personal) if self.personal else frozenset()

    def as_message(self) -> list:
        """A form every channel layer carries (msgpack for Redis)."""
        return [self.seq, self.text, self.staff_text, self.personal, self.rewrote_history]

    @classmethod
    def from_message(cls, item: list) -> "EventText":
        return cls(*item)


def _item(event: Event, *layers: dict[str, Any]) -> str:
    data: dict[str, Any] = {}
    for layer in (event.data, *layers):
        data.update(layer)
    return frame_dumps({"seq": event.seq, "kind": event.kind, "data": data})


def event_text(event: Event) -> EventText:
    # A person named in `private` sees their part over the public data; staff see the staff layer over
    # that, so a moderator's own proposal still shows as staff see it (with its flags, say).
    personal = {
        key: [_item(event, own), _item(event, own, event.staff)] for key, own in event.private.items()
    }
    return EventText(
        seq=event.seq,
        text=_item(event),
        staff_text=_item(event, event.staff) if event.staff else None,
        personal=personal or None,
        rewrote_history=event.rewrote_history,
    )


def events_frame_text(texts: Iterable[str]) -> str:
    """`{"type":"events","events":[...]}` from event texts already serialised."""
    return '{"type":"events","events":[' + ",".join(texts) + "]}"
