"""Replays show what a reader may see now, never what moderation withdrew.

A replay (`?since=`, `resume`) sends earlier events again. When a moderator hides a proposal, corrects
its text, or makes a question anonymous, the earlier events still carry the text, the author's name or
the old wording; so, in the same transaction as the moderation, every earlier view of the proposals it
touched is rewritten to the view each audience has of them now (the public: nothing if it is hidden;
staff: what staff see; its author: their own view). Events carry absolute proposal views, so a client
applying the rewritten events still ends in the state of a fresh snapshot (tests/deliberation/
test_events.py). The moderation's own event says so (`rewrote_history`), and the hubs drop the copies
of earlier events they remember for replays. privacy.py does the same for a person's erasure."""

from typing import Any

from deliberation.models import Event, Proposal, Roundtable
from deliberation.selectors import (
    AUTHOR,
    PUBLIC,
    STAFF,
    proposal_flag_counts,
    proposal_tallies,
    proposal_view,
)

# The kinds of event that carry whole proposal views (the others name proposals by id).
PROPOSAL_VIEW_KINDS = (
    "proposal.submitted",
    "proposal.updated",
    "proposal.merged",
    "question.updated",
    "participant.anonymised",
    "participant.erased",
)


def event_history_rewrite(*, roundtable: Roundtable, proposals: list[Proposal]) -> None:
    """Rewrite the earlier events' views of `proposals` to what each audience sees of them now. The
    caller holds the roundtable's lock, has saved the change, and records its event with
    `rewrote_history=True`."""
    if not proposals:
        return
    ids = [proposal.pk for proposal in proposals]
    tallies = proposal_tallies(proposal_ids=ids)
    flags = proposal_flag_counts(proposal_ids=ids)
    now: dict[int, dict[str, Any]] = {}
    for proposal in proposals:
        common = {"proposal": proposal, "question": proposal.question, "tally": tallies[proposal.pk]}
        now[proposal.pk] = {
            "author_key": str(proposal.author_id),
            PUBLIC: proposal_view(**common, audience=PUBLIC),
            STAFF: proposal_view(**common, audience=STAFF, flags=flags.get(proposal.pk, 0)),
            AUTHOR: proposal_view(**common, audience=AUTHOR),
        }
    first = (
        Event.objects.filter(roundtable=roundtable, kind="proposal.submitted", data__id__in=ids)
        .order_by("seq")
        .values_list("seq", flat=True)
        .first()
    )
    events = Event.objects.filter(roundtable=roundtable, kind__in=PROPOSAL_VIEW_KINDS, seq__gte=first or 0)
    for event in events.iterator():
        data = _rewrite(event.data, now, lambda views: views[PUBLIC])
        staff = _rewrite(event.staff, now, lambda views: views[STAFF])
        private = {
            key: _rewrite(
                part, now, lambda views, key=key: views[AUTHOR if views["author_key"] == key else PUBLIC]
            )
            for key, part in event.private.items()
        }
        if (data, staff, private) != (event.data, event.staff, event.private):
            event.data, event.staff, event.private = data, staff, private
            event.save(update_fields=["data", "staff", "private"])


def _rewrite(value: Any, now: dict[int, dict[str, Any]], view_for) -> Any:
    if isinstance(value, list):
        return [_rewrite(item, now, view_for) for item in value]
    if not isinstance(value, dict):
        return value
    if _is_proposal_view(value) and value["id"] in now:
        return view_for(now[value["id"]])
    return {key: _rewrite(item, now, view_for) for key, item in value.items()}


def _is_proposal_view(value: dict[str, Any]) -> bool:
    return isinstance(value.get("id"), int) and {"text", "author", "status"} <= value.keys()
