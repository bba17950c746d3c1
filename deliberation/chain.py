"""The hash chain of a roundtable's event log: plain Python, no Django, so the server that writes it and
`python -m deliberation.verify` that checks it run the same code.

Each event commits to its parts through *leaves*: a leaf is one named value (the event's public `data`,
its `staff` and `private` layers, its actor, and the records a re-analysis needs: a ballot, a
proposal's text...), and its digest is SHA-256 over a random salt and the value's canonical encoding.
The event's hash covers the previous event's hash, its seq, its kind and the digests of its leaves.
A reader given a leaf's value and salt can check it against the chain; a reader given only its digest
learns nothing from it, not even by guessing (a vote has three possible values; the salt is what stops
someone trying them). Salts stay on the server: a bundle gives out the salts of the leaves it discloses
and no others, and an erasure deletes the salt with the value, so a redacted leaf is a digest that
stays in the chain (a mark) and nobody, the server included, can recover what it was."""

import hashlib
import hmac
import json
from typing import Any

VERSION = 1
# The "previous hash" of a roundtable's first event.
GENESIS = "0" * 64
SALT_BYTES = 16


def canonical(value: Any) -> bytes:
    """One byte string per JSON value: keys sorted, no spaces, UTF-8 (RFC 8785 for the values events hold:
    strings, integers, booleans, null, lists, objects; the records a reader checks hold no floats)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def leaf_digest(*, salt: str, value: Any) -> str:
    return hashlib.sha256(bytes.fromhex(salt) + canonical(value)).hexdigest()


def event_hash(*, prev: str, seq: int, kind: str, leaves: dict[str, str]) -> str:
    """The hash of one event: over the previous hash, its seq and kind, and its leaves' digests."""
    return hashlib.sha256(
        canonical({"v": VERSION, "prev": prev, "seq": seq, "kind": kind, "leaves": leaves})
    ).hexdigest()


def voter_token(*, key: str, scope: str, participant_id: int) -> str:
    """A person's pseudonym within one scope ("q12": a question's votes, "s7": one room check's answers):
    the same for all their ballots there, different in every other scope, and unrelated to their id
    without the roundtable's key (which never leaves the server)."""
    message = f"{scope}:{participant_id}".encode()
    return hmac.new(bytes.fromhex(key), message, hashlib.sha256).hexdigest()[:20]


def document_digest(document: dict[str, Any]) -> str:
    """What a publication commits to: the whole document as published, canonically encoded."""
    return hashlib.sha256(canonical(document)).hexdigest()
