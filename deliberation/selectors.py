"""Read models: what a given person may see of a roundtable, as plain JSON-ready data."""

from collections import Counter
from typing import Any

from django.conf import settings
from django.db.models import Count

from deliberation.frames import PROTOCOL_VERSION, EventText, event_text
from deliberation.models import (
    Event,
    Participant,
    Proposal,
    ProposalStatus,
    Question,
    Roundtable,
    Vote,
    VoteChoice,
)

EMPTY_TALLY = {choice: 0 for choice in VoteChoice.values}


def roundtable_get_by_code(*, code: str) -> Roundtable | None:
    return Roundtable.objects.filter(code__iexact=code).first()


def participant_get(*, roundtable: Roundtable, participant_id: int | None) -> Participant | None:
    if participant_id is None:
        return None
    return Participant.objects.filter(roundtable=roundtable, pk=participant_id).first()


def proposal_tally(*, proposal_id: int) -> dict[str, int]:
    counts = Vote.objects.filter(proposal_id=proposal_id).values_list("choice").annotate(n=Count("id"))
    return {**EMPTY_TALLY, **dict(counts)}


def proposal_public(*, proposal: Proposal, tally: dict[str, int]) -> dict[str, Any]:
    return {
        "id": proposal.pk,
        "question": proposal.question_id,
        "text": proposal.text,
        "language": proposal.language,
        "author": {"name": proposal.author.display_name, "actor_type": proposal.author.actor_type},
        "status": proposal.status,
        "tally": tally,
        "created_at": proposal.created_at.isoformat(),
    }


def question_public(*, question: Question) -> dict[str, Any]:
    return {"id": question.pk, "order": question.order, "text": question.text, "state": question.state}


def roundtable_public(*, roundtable: Roundtable) -> dict[str, Any]:
    return {
        "code": roundtable.code,
        "title": roundtable.title,
        "event_name": roundtable.event_name,
        "languages": roundtable.languages,
        "actor_types": roundtable.actor_types,
        "capacity": roundtable.capacity,
    }


def participant_counts(*, roundtable: Roundtable) -> dict[str, Any]:
    by_actor_type = Counter(
        dict(
            Participant.objects.filter(roundtable=roundtable)
            .values_list("actor_type")
            .annotate(n=Count("id"))
        )
    )
    return {"total": sum(by_actor_type.values()), "by_actor_type": dict(sorted(by_actor_type.items()))}


def participant_public_self(*, participant: Participant | None) -> dict[str, Any] | None:
    if participant is None:
        return None
    return {
        "id": participant.pk,
        "display_name": participant.display_name,
        "actor_type": participant.actor_type,
        "language": participant.language,
        "role": participant.role,
    }


def roundtable_snapshot(*, roundtable: Roundtable, viewer: Participant | None) -> dict[str, Any]:
    """Everything `viewer` may see, as of at least `seq`.

    `seq` is read before the rest, so the data may already include some later events; every event
    carries absolute values (a whole tally, a whole proposal), so applying those again is harmless."""
    seq = roundtable_last_seq(roundtable_id=roundtable.pk)
    proposals = list(
        Proposal.objects.filter(question__roundtable=roundtable, status=ProposalStatus.VISIBLE)
        .select_related("author")
        .order_by("id")
    )
    tallies: dict[int, dict[str, int]] = {proposal.pk: dict(EMPTY_TALLY) for proposal in proposals}
    for proposal_id, choice, count in (
        Vote.objects.filter(proposal__in=proposals)
        .values_list("proposal_id", "choice")
        .annotate(n=Count("id"))
    ):
        tallies[proposal_id][choice] = count
    my_votes: dict[int, str] = {}
    if viewer is not None:
        my_votes = dict(
            Vote.objects.filter(participant=viewer, proposal__in=proposals).values_list(
                "proposal_id", "choice"
            )
        )
    proposal_rows = []
    for proposal in proposals:
        row = proposal_public(proposal=proposal, tally=tallies[proposal.pk])
        row["mine"] = viewer is not None and proposal.author_id == viewer.pk
        row["my_vote"] = my_votes.get(proposal.pk)
        proposal_rows.append(row)
    return {
        "type": "snapshot",
        "protocol": PROTOCOL_VERSION,
        "seq": seq,
        "roundtable": roundtable_public(roundtable=roundtable),
        "questions": [question_public(question=q) for q in roundtable.questions.order_by("order")],
        "proposals": proposal_rows,
        "participants": participant_counts(roundtable=roundtable),
        "me": participant_public_self(participant=viewer),
    }


def roundtable_last_seq(*, roundtable_id: int) -> int:
    return Roundtable.objects.values_list("last_seq", flat=True).get(pk=roundtable_id)


def roundtable_snapshot_for(*, roundtable_id: int, participant_id: int | None) -> dict[str, Any]:
    """The snapshot as a connection reads it: from ids, fresh from the database each time."""
    roundtable = Roundtable.objects.get(pk=roundtable_id)
    viewer = participant_get(roundtable=roundtable, participant_id=participant_id)
    return roundtable_snapshot(roundtable=roundtable, viewer=viewer)


def events_since(*, roundtable_id: int, seq: int, limit: int | None = None) -> list[EventText] | None:
    """The events after `seq`, serialised, or None when more than `limit` are missing or `seq` is beyond
    the roundtable's history (the caller then sends a fresh snapshot instead)."""
    limit = settings.ROUNDTABLE_REPLAY_LIMIT if limit is None else limit
    if seq > roundtable_last_seq(roundtable_id=roundtable_id):
        return None
    events = events_between(roundtable_id=roundtable_id, after=seq, upto=seq + limit + 1)
    return None if len(events) > limit else events


def events_between(*, roundtable_id: int, after: int, upto: int) -> list[EventText]:
    """The events with after < seq <= upto, serialised."""
    rows = Event.objects.filter(roundtable_id=roundtable_id, seq__gt=after, seq__lte=upto).order_by("seq")
    return [event_text(event) for event in rows]
