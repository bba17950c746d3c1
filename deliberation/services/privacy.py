"""A participant's rights over what they contributed: to be anonymised (their proposals and votes stay
in the deliberation, their name goes) or erased (their proposals, votes and reports go). Either way the
event log is scrubbed too, so no replay brings back what they took out, and one event updates every
screen."""

from typing import Any

from django.db import transaction

from deliberation.document.live import statement_views
from deliberation.errors import ServiceError
from deliberation.models import (
    Event,
    Flag,
    Participant,
    Proposal,
    Registrant,
    Role,
    Roundtable,
    Statement,
    StatementResponse,
    Vote,
)
from deliberation.selectors import participant_counts, participant_get
from deliberation.services.analysis import analysis_request, vector_cache_forget
from deliberation.services.chaining import chain_redact
from deliberation.services.events import event_record, roundtable_lock
from deliberation.services.proposal_events import proposals_views


def _participant(*, roundtable: Roundtable, participant_id: int | None) -> Participant:
    participant = participant_get(roundtable=roundtable, participant_id=participant_id)
    if participant is None:
        raise ServiceError("not_joined")
    if participant.role != Role.PARTICIPANT:
        # Staff act under their account's name; their seat is withdrawn by an organizer, not here.
        raise ServiceError("forbidden")
    return participant


def participant_anonymise(*, roundtable_id: int, participant_id: int | None) -> Event:
    with transaction.atomic():
        roundtable = roundtable_lock(roundtable_id=roundtable_id)
        participant = _participant(roundtable=roundtable, participant_id=participant_id)
        participant.display_name = ""
        participant.save(update_fields=["display_name"])
        # The registration keeps its seat: the personal link must give back this same seat, or one
        # registrant would hold a fresh seat per anonymisation, each able to vote (audit 2026-11-30).
        # Organizers' registration list shows only that the person joined, never which seat.
        mine = list(Proposal.objects.filter(author=participant).select_related("author", "question"))
        _scrub(roundtable=roundtable, proposal_ids={p.pk for p in mine}, erase=False, person=participant)
        public, staff, private = proposals_views(proposals=mine)
        return event_record(
            roundtable=roundtable,
            kind="participant.anonymised",
            data={"proposals": public},
            staff={"proposals": staff},
            private=private,
            actor=participant,
            rewrote_history=True,
        )


def participant_erase(*, roundtable_id: int, participant_id: int | None) -> Event:
    with transaction.atomic():
        roundtable = roundtable_lock(roundtable_id=roundtable_id)
        participant = _participant(roundtable=roundtable, participant_id=participant_id)
        mine = set(Proposal.objects.filter(author=participant).values_list("pk", flat=True))
        # Their proposals' vectors leave the vector cache too (if one is set), once the erasure holds;
        # files, not rows, so after the commit and outside the roundtable's lock.
        erased = list(Proposal.objects.filter(pk__in=mine).values_list("text", "language"))
        transaction.on_commit(
            lambda: vector_cache_forget(
                texts=[text for text, _ in erased], languages=[language for _, language in erased]
            ),
            # A cache that fails must not take the erasure's own publish (queued after it) with it.
            robust=True,
        )
        voted_on = set(Vote.objects.filter(participant=participant).values_list("proposal_id", flat=True))
        flagged = set(Flag.objects.filter(participant=participant).values_list("proposal_id", flat=True))
        answered = set(
            StatementResponse.objects.filter(participant=participant).values_list("statement_id", flat=True)
        )
        withheld = _scrub(roundtable=roundtable, proposal_ids=mine, erase=True, person=participant)
        # Theme names quote proposals: the next run names the themes again without the erased ones.
        for question_id in set(Proposal.objects.filter(pk__in=mine).values_list("question_id", flat=True)):
            analysis_request(question_id=question_id)
        participant.delete()  # with their proposals, votes, reports and room-check answers (cascade)
        touched = list(
            Proposal.objects.filter(pk__in=(voted_on | flagged) - mine).select_related("author", "question")
        )
        public, staff, private = proposals_views(proposals=touched)
        gone = dict.fromkeys((str(pk) for pk in mine), None)
        return event_record(
            roundtable=roundtable,
            kind="participant.erased",
            data={
                "proposals": {**gone, **public},
                "participants": participant_counts(roundtable=roundtable),
                # The room checks they answered, counted again without them.
                "statements": statement_views(
                    statements=list(Statement.objects.filter(pk__in=answered).order_by("pk"))
                ),
            },
            staff={"proposals": {**gone, **staff}},
            private={key: {"proposals": {**gone, **part["proposals"]}} for key, part in private.items()},
            rewrote_history=True,
            # The mark an erasure leaves on the chain: which events' records it took out, and which
            # proposals went, so a reader tells a withheld ballot from one a publisher dropped.
            records={"erasure": {"withheld": withheld, "proposals": sorted(mine)}},
        )


def _scrub(*, roundtable: Roundtable, proposal_ids: set[int], erase: bool, person: Participant) -> list[int]:
    """Rewrite the roundtable's past events so no replay shows what the person took out: their name on
    their proposals (anonymise), or their proposals and their own parts (erase). An erasure also takes
    their ballots and their proposals' texts out of the chain's records (values and salts; the digests
    stay) and the salts of every layer it rewrote: returns the seqs whose records it took out."""
    key = str(person.pk)
    withheld: list[int] = []
    texts = [f"text:{pk}" for pk in proposal_ids]
    # An erased person's address leaves the audit log's "added to the registration list" entries too.
    registered = Registrant.objects.filter(participant=person).values_list("email", flat=True).first()
    for event in Event.objects.filter(roundtable=roundtable).iterator():
        layers = {"data": event.data, "staff": event.staff, "private": event.private}
        changed = False
        if erase and key in event.private:
            del event.private[key]
            changed = True
        for name, layer in layers.items():
            cleaned = _scrub_value(layer, proposal_ids=proposal_ids, erase=erase)
            if cleaned != layer:
                setattr(event, name, cleaned)
                changed = True
        audit = event.staff.get("audit", {})
        if erase and event.data.get("id") in proposal_ids and "before" in audit:
            # The log keeps that a moderator corrected it, not the erased texts.
            event.staff = {**event.staff, "audit": {**audit, "before": "", "after": ""}}
            changed = True
        if erase and registered and event.kind == "registration.updated" and audit.get("email") == registered:
            event.staff = {**event.staff, "audit": {**audit, "email": None, "erased": True}}
            changed = True
        theirs = erase and event.actor_id == person.pk
        if theirs:
            event.actor = None
            changed = True
        if erase and chain_redact(event=event, leaves=texts + (["ballot", "answer"] if theirs else [])):
            withheld.append(event.seq)
            changed = True
        if erase and changed:
            # Without their salts, what the rewritten layers held cannot be guessed back from the digests.
            chain_redact(event=event, leaves=["data", "staff", "private", "actor"])
        if changed:
            event.save(update_fields=["data", "staff", "private", "actor", "chain"])
    return withheld


def _scrub_value(value: Any, *, proposal_ids: set[int], erase: bool) -> Any:
    if isinstance(value, list):
        return [_scrub_value(item, proposal_ids=proposal_ids, erase=erase) for item in value]
    if not isinstance(value, dict):
        return value
    if value.get("id") in proposal_ids and "text" in value and "author" in value:  # a proposal view
        return None if erase else {**value, "author": {**value["author"], "name": None}}
    if erase and "labels" in value and set(value.get("proposals") or ()) & proposal_ids:
        # A theme view: its automatic names may quote an erased proposal (moderators' names do not).
        value = {**value, "labels": {}, **({"machine": {}} if "machine" in value else {})}
    return {key: _scrub_value(item, proposal_ids=proposal_ids, erase=erase) for key, item in value.items()}
