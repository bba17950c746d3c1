"""Chaining events as they are written (called by events.events_append, the one place events are written),
and redacting what an erasure takes out of the chain's records. The scheme: deliberation/chain.py and
docs/architecture.md ("A record anyone can verify").

Besides the event's own layers, each event commits to *records*: small, identity-free values derived from
it that a reader needs to recompute the document's figures. A ballot names its voter by a per-question
pseudonym (a per-room-check one for an answer), never by participant id; a proposal's status and its text
are separate records, so a text can be withheld (erased, or never public) while its status is checked."""

import os
from typing import Any

from deliberation.chain import SALT_BYTES, event_hash, leaf_digest, voter_token
from deliberation.models import Event, Role, Roundtable

# The layers every event commits to; their salts stay on the server (a bundle discloses none of them).
LAYERS = ("data", "staff", "private", "actor")
PROPOSAL_RECORD_KINDS = ("proposal.submitted", "proposal.updated", "proposal.merged")


def _proposal_views(value: Any, found: dict[int, dict[str, Any]]) -> None:
    if isinstance(value, list):
        for item in value:
            _proposal_views(item, found)
    elif isinstance(value, dict):
        if isinstance(value.get("id"), int) and {"text", "status", "question"} <= value.keys():
            found.setdefault(value["id"], value)
            return
        for item in value.values():
            _proposal_views(item, found)


def event_records(
    *,
    kind: str,
    data: dict[str, Any],
    staff: dict[str, Any],
    private: dict[str, dict[str, Any]],
    actor_id: int | None,
    actor_role: str | None,
    key: str,
) -> dict[str, Any]:
    """The records one event commits to, by leaf name (see the module's docstring)."""
    records: dict[str, Any] = {}
    own = private.get(str(actor_id), {}) if actor_id is not None else {}
    if kind == "vote.cast" and "my_vote" in own and {"proposal", "question"} <= data.keys():
        question = data["question"]
        # Staff may vote; the document counts participants only. Whether a ballot counts is public,
        # the ballot of a named moderator is not.
        records["counted"] = actor_role == Role.PARTICIPANT
        records["ballot"] = {
            "proposal": data["proposal"],
            "question": question,
            "voter": voter_token(key=key, scope=f"q{question}", participant_id=actor_id),
            "choice": own["my_vote"],
        }
    elif (
        kind == "statement.updated"
        and {"id", "question", "number", "text"} <= (data.get("statement") or {}).keys()
    ):
        statement = data["statement"]
        mine = own.get("statement", {}).get("my_response")
        if data.get("action") == "respond" and mine:
            records["answer"] = {
                "statement": statement["id"],
                "question": statement["question"],
                "voter": voter_token(key=key, scope=f"s{statement['id']}", participant_id=actor_id),
                "choice": mine,
            }
        else:
            records[f"statement:{statement['id']}"] = {
                "id": statement["id"],
                "question": statement["question"],
                "number": statement["number"],
                "text": statement["text"],
            }
    elif kind in PROPOSAL_RECORD_KINDS:
        views: dict[int, dict[str, Any]] = {}
        # Staff see every proposal's text and status, pending and hidden ones included.
        _proposal_views(staff, views)
        _proposal_views(data, views)
        for pk, view in sorted(views.items()):
            records[f"proposal:{pk}"] = {"id": pk, "question": view["question"], "status": view["status"]}
            records[f"text:{pk}"] = {"id": pk, "text": view["text"], "language": view.get("language", "")}
        if kind == "proposal.merged" and {"id", "into"} <= data.keys():
            records["merge"] = {"proposal": data["id"], "into": data["into"]}
    return records


def _actor_role(event: Event) -> str | None:
    if event.actor_id is None:
        return None
    if Event._meta.get_field("actor").is_cached(event):
        return event.actor.role
    return None  # only a vote asks, and votes_cast hands over the voter it loaded


def events_chain(
    *, roundtable: Roundtable, events: list[Event], records: dict[str, Any] | None = None
) -> None:
    """Seal each event (numbered, not yet saved) onto the roundtable's chain, in seq order; the caller
    holds the roundtable's lock and saves `chain_head` with `last_seq`. `records` (a publication's
    document digest, an erasure's list) are added to a single event's own."""
    prev = roundtable.chain_head
    for event in events:
        values: dict[str, Any] = {
            "data": event.data,
            "staff": event.staff,
            "private": event.private,
            "actor": {"id": event.actor_id, "command_id": event.command_id, "command": event.command},
        }
        own = event_records(
            kind=event.kind,
            data=event.data,
            staff=event.staff,
            private=event.private,
            actor_id=event.actor_id,
            actor_role=_actor_role(event),
            key=roundtable.chain_key,
        )
        if records:
            own.update(records)
        values.update(own)
        # One system call for all the salts of the event, not one per leaf.
        noise = os.urandom(SALT_BYTES * len(values)).hex()
        width = SALT_BYTES * 2
        salts = {name: noise[index * width : (index + 1) * width] for index, name in enumerate(values)}
        leaves = {name: leaf_digest(salt=salts[name], value=value) for name, value in values.items()}
        event.hash = event_hash(prev=prev, seq=event.seq, kind=event.kind, leaves=leaves)
        event.chain = {"leaves": leaves, "salts": salts, "records": own}
        prev = event.hash
    roundtable.chain_head = prev


def chain_redact(*, event: Event, leaves: list[str]) -> bool:
    """Take values and salts out of an event's chain entry (an erasure): its digests stay, so the chain
    still holds, and without the salt nobody can guess back what was there. True if anything went."""
    chain = event.chain or {}
    salts, records = chain.get("salts", {}), chain.get("records", {})
    gone = [name for name in leaves if name in salts or name in records]
    for name in gone:
        salts.pop(name, None)
        records.pop(name, None)
    return bool(gone)
