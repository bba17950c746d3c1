"""The JSON frames of the live protocol (docs/protocol.md) that more than one layer builds."""

import json
from typing import Any

from deliberation.models import Event

PROTOCOL_VERSION = 1


def frame_dumps(frame: dict[str, Any]) -> str:
    return json.dumps(frame, ensure_ascii=False, separators=(",", ":"))


def event_frame(event: Event, *, for_actor: bool) -> dict[str, Any]:
    data = {**event.data, **event.private} if for_actor else event.data
    return {"type": "event", "seq": event.seq, "kind": event.kind, "data": data}
