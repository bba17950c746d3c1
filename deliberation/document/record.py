"""The public part of a roundtable's hash-chained event log, as the re-analysis bundle carries it: every
event's seq, kind, hash and leaf digests, and the records a reader needs to recompute the document's
figures, each with its salt. Nothing else: no layer of any event (they name people), no salt of a
record it withholds. The scheme: docs/architecture.md, "A record anyone can verify"."""

import re
from typing import Any

from deliberation.chain import GENESIS, VERSION
from deliberation.models import Event, Roundtable

# Records every reader may see: they name no one (ballots carry per-question pseudonyms).
ALWAYS = re.compile(r"^(counted|answer|merge|erasure|document|proposal:\d+|statement:\d+)$")
TEXT = re.compile(r"^text:(\d+)$")


def record_events(*, document: dict[str, Any]) -> dict[str, Any] | None:
    """{"chain": what the chain is, "events": one dict per event} for the document's roundtable, from its
    first event to its latest (later events can only add marks: an erasure after publication); None for
    a document of no roundtable here (the bundle then has no record)."""
    roundtable = Roundtable.objects.filter(code=document["roundtable"]["code"]).only("pk").first()
    stated = document.get("chain")
    if roundtable is None or stated is None:
        return None
    head = stated["seq"]
    in_document = {proposal["id"] for question in document["questions"] for proposal in question["proposals"]}
    # A proposal's text is shown as it stood at the head: its latest text record up to there.
    latest_text: dict[int, int] = {}
    rows = list(
        Event.objects.filter(roundtable_id=roundtable.pk)
        .order_by("seq")
        .values_list("seq", "kind", "hash", "chain")
    )
    for seq, _kind, _hash, chain in rows:
        if seq > head:
            break
        for name in (chain or {}).get("records", {}):
            match = TEXT.match(name)
            if match and int(match.group(1)) in in_document:
                latest_text[int(match.group(1))] = seq
    events = []
    for seq, kind, digest, chain in rows:
        chain = chain or {}
        records, salts = chain.get("records", {}), chain.get("salts", {})
        disclosed = {}
        for name, value in records.items():
            if name not in salts:
                continue
            text = TEXT.match(name)
            public = ALWAYS.match(name) or (name == "ballot" and records.get("counted"))
            # A text only as the document shows it: an earlier wording a moderator corrected stays sealed.
            shown = text is not None and latest_text.get(int(text.group(1))) == seq
            if public or shown:
                disclosed[name] = {"value": value, "salt": salts[name]}
        events.append(
            {
                "seq": seq,
                "kind": kind,
                "hash": digest,
                "leaves": chain.get("leaves", {}),
                "disclosed": disclosed,
            }
        )
    return {
        "chain": {
            "version": VERSION,
            "algorithm": "sha256",
            "genesis": GENESIS,
            "head": {"seq": head, "hash": stated["hash"]},
            "last": {"seq": rows[-1][0], "hash": rows[-1][2]} if rows else {"seq": 0, "hash": GENESIS},
            "backfilled_through": max(
                (seq for seq, _k, _h, chain in rows if (chain or {}).get("backfilled")), default=0
            ),
        },
        "events": events,
    }
