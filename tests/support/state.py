"""The reference client reducer, in Python: the same rules as frontend/js/state.js.

tests/deliberation/test_events.py applies every action's events to an old snapshot with it and checks
the result equals a freshly read snapshot, as Zulip's test_events.py does."""

import copy
import json
from typing import Any


def state_from_snapshot(frame: dict[str, Any]) -> dict[str, Any]:
    return {
        "seq": frame["seq"],
        "roundtable": copy.deepcopy(frame["roundtable"]),
        "questions": {q["id"]: copy.deepcopy(q) for q in frame["questions"]},
        "proposals": {p["id"]: copy.deepcopy(p) for p in frame["proposals"]},
        "participants": copy.deepcopy(frame["participants"]),
        "me": copy.deepcopy(frame["me"]),
    }


def state_apply_event(state: dict[str, Any], event: dict[str, Any]) -> None:
    """One event of an `events` frame: {"seq", "kind", "data"}."""
    state["seq"] = event["seq"]
    data = event["data"]
    match event["kind"]:
        case "participant.joined":
            state["participants"] = copy.deepcopy(data["participants"])
        case "proposal.submitted":
            previous = state["proposals"].get(data["proposal"]["id"], {})
            state["proposals"][data["proposal"]["id"]] = {
                **copy.deepcopy(data["proposal"]),
                "mine": bool(data.get("mine")) or bool(previous.get("mine")),
                "my_vote": previous.get("my_vote"),
            }
        case "vote.cast":
            proposal = state["proposals"].get(data["proposal"])
            if proposal is not None:
                proposal["tally"] = dict(data["tally"])
                if data.get("my_vote"):
                    proposal["my_vote"] = data["my_vote"]
        case kind:
            raise AssertionError(f"the reference reducer does not know {kind!r}")


def events_seen_by(*, roundtable_id: int, seq: int, viewer_id: int | None) -> list[dict[str, Any]]:
    """The events after `seq` exactly as the server sends them to `viewer` (replay path)."""
    from deliberation.selectors import events_since

    return [
        json.loads(event.for_viewer(viewer_id))
        for event in events_since(roundtable_id=roundtable_id, seq=seq)
    ]
