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
        "themes": {entry["question"]: copy.deepcopy(entry["themes"]) for entry in frame["themes"]},
        "opinions": {entry["question"]: copy.deepcopy(entry["opinions"]) for entry in frame["opinions"]},
        "duplicates": {entry["question"]: copy.deepcopy(entry["pairs"]) for entry in frame["duplicates"]}
        if "duplicates" in frame
        else None,
        "balance": copy.deepcopy(frame["balance"]),
        "statements": {item["id"]: copy.deepcopy(item) for item in frame["statements"]},
        "publications": copy.deepcopy(frame["publications"]),
        # Moderators' drafting only: absent from other people's snapshots.
        "drafts": {item["question"]: copy.deepcopy(item) for item in frame["drafts"]}
        if "drafts" in frame
        else None,
        "commitments": {item["question"]: copy.deepcopy(item["items"]) for item in frame["commitments"]}
        if "commitments" in frame
        else None,
        "run_of_show": copy.deepcopy(frame["run_of_show"]),
    }


def _leave_themes(state: dict[str, Any], proposal_id: int) -> None:
    """Themes list what the public sees: a proposal that stops being visible leaves its theme at once."""
    for question, themes in state["themes"].items():
        state["themes"][question] = [
            {**theme, "proposals": [member for member in theme["proposals"] if member != proposal_id]}
            for theme in themes
            if [member for member in theme["proposals"] if member != proposal_id]
        ]


def _set_proposal(state: dict[str, Any], proposal_id: int, view: dict | None, personal: dict) -> None:
    """A proposal as the event shows it to this viewer; None means it is not theirs to see (any more)."""
    if view is None:
        state["proposals"].pop(proposal_id, None)
        _leave_themes(state, proposal_id)
        return
    if view["status"] != "visible":
        _leave_themes(state, proposal_id)
    previous = state["proposals"].get(proposal_id, {})
    state["proposals"][proposal_id] = {
        **copy.deepcopy(view),
        "mine": bool(personal.get("mine", previous.get("mine", False))),
        "my_vote": personal["my_vote"] if "my_vote" in personal else previous.get("my_vote"),
        "my_flag": bool(personal.get("my_flag", previous.get("my_flag", False))),
    }


def _set_statement(state: dict[str, Any], statement: dict[str, Any]) -> None:
    """A room check's text and counts; the viewer's own answer comes only in their own copy."""
    previous = state["statements"].get(statement["id"], {})
    state["statements"][statement["id"]] = {
        **copy.deepcopy(statement),
        "my_response": statement["my_response"]
        if "my_response" in statement
        else previous.get("my_response"),
    }


def state_apply_event(state: dict[str, Any], event: dict[str, Any]) -> None:
    """One event of an `events` frame: {"seq", "kind", "data"}."""
    state["seq"] = event["seq"]
    data = event["data"]
    match event["kind"]:
        case "participant.joined":
            state["participants"] = copy.deepcopy(data["participants"])
        case "proposal.submitted" | "proposal.updated":
            _set_proposal(state, data["id"], data["proposal"], data)
        case "proposal.merged":
            # Votes always leave a merged proposal; some follow to the survivor.
            _set_proposal(state, data["id"], data["proposal"], {**data, "my_vote": None})
            survivor = {"my_vote": data["survivor_my_vote"]} if "survivor_my_vote" in data else {}
            _set_proposal(state, data["into"], data["survivor"], survivor)
        case "vote.cast":
            proposal = state["proposals"].get(data["proposal"])
            if proposal is not None:
                proposal["tally"] = copy.deepcopy(data["tally"])
                if data.get("my_vote"):
                    proposal["my_vote"] = data["my_vote"]
        case "question.updated":
            state["questions"][data["question"]["id"]] = copy.deepcopy(data["question"])
            state["roundtable"]["current_question"] = data["current_question"]
            for proposal_id, view in data.get("proposals", {}).items():
                _set_proposal(state, int(proposal_id), view, {})
            # Tallies shown or hidden: the opinion map with or without its per-proposal figures.
            if "opinions" in data:
                state["opinions"][data["question"]["id"]] = copy.deepcopy(data["opinions"])
        case "participant.anonymised" | "participant.erased":
            for proposal_id, view in data["proposals"].items():
                _set_proposal(state, int(proposal_id), view, {})
            if "participants" in data:
                state["participants"] = copy.deepcopy(data["participants"])
            for statement in data.get("statements", []):
                _set_statement(state, statement)
        case "themes.updated":
            state["themes"][data["question"]] = copy.deepcopy(data["themes"])
            if state["duplicates"] is not None and "duplicates" in data:
                state["duplicates"][data["question"]] = copy.deepcopy(data["duplicates"])
        case "opinions.updated":
            state["opinions"][data["question"]] = copy.deepcopy(data["opinions"])
            state["balance"] = copy.deepcopy(data["balance"])
        case "balance.updated":
            state["balance"] = copy.deepcopy(data["balance"])
        case "roundtable.updated":
            state["roundtable"]["current_question"] = data["current_question"]
        case "draft.updated":
            if state["drafts"] is not None and "draft" in data:
                state["drafts"][data["question"]] = copy.deepcopy(data["draft"])
        case "commitments.updated":
            if state["commitments"] is not None and "commitments" in data:
                state["commitments"][data["question"]] = copy.deepcopy(data["commitments"])
        case "statement.updated":
            _set_statement(state, data["statement"])
        case "publication.created":
            state["publications"].append(copy.deepcopy(data["publication"]))
        case "run_of_show.updated":
            # The whole run of show; staff copies also carry the audit entry, as steering events do.
            state["run_of_show"] = {
                key: copy.deepcopy(value) for key, value in data.items() if key != "audit"
            }
        case "invitation.revoked":
            pass  # for the audit log: nothing any screen shows changes
        case kind:
            raise AssertionError(f"the reference reducer does not know {kind!r}")


def events_seen_by(
    *, roundtable_id: int, seq: int, viewer_id: int | None, staff: bool = False
) -> list[dict[str, Any]]:
    """The events after `seq` exactly as the server sends them to `viewer` (replay path)."""
    from deliberation.selectors import events_since

    return [
        json.loads(event.for_viewer(viewer_id, staff=staff))
        for event in events_since(roundtable_id=roundtable_id, seq=seq)
    ]
