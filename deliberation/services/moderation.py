"""The moderation queue: approve, hide with a reason, restore, correct a typo, pin, merge duplicates,
and participants' flags. Each is one Event, which is also the audit log's entry (who, when, what)."""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from deliberation.errors import ServiceError
from deliberation.models import Event, Flag, Participant, Proposal, ProposalStatus, Roundtable, Vote
from deliberation.policy import Action
from deliberation.selectors import merge_require
from deliberation.services.analysis import analysis_request
from deliberation.services.commands import CommandResult, command_begin, text_clean
from deliberation.services.events import event_record
from deliberation.services.history import event_history_rewrite
from deliberation.services.proposal_events import proposal_event_data, proposal_layers

HIDE_REASON_MAX_CHARS = 200

# What a change does, as (audit details, whether the proposal may reappear to the public).
Change = Callable[[Proposal], tuple[dict[str, Any], bool]]


def _moderate(
    *,
    roundtable_id: int,
    participant_id: int | None,
    proposal_id: int,
    action: Action,
    change: Change,
    command_id: str | None,
) -> CommandResult:
    with transaction.atomic():
        roundtable, actor, earlier = command_begin(
            roundtable_id=roundtable_id, participant_id=participant_id, action=action, command_id=command_id
        )
        if earlier is not None:
            return CommandResult(seq=earlier.seq, result={"proposal": proposal_id})
        proposal = _proposal_in(roundtable=roundtable, proposal_id=proposal_id)
        audit, reappears = change(proposal)
        event = _proposal_event(
            roundtable=roundtable,
            proposal=proposal,
            action=action.value.removeprefix("proposal."),
            actor=actor,
            command_id=command_id,
            audit=audit,
            with_voters=reappears,
        )
    return CommandResult(seq=event.seq, result={"proposal": proposal.pk})


def _proposal_in(*, roundtable: Roundtable, proposal_id: int) -> Proposal:
    proposal = (
        Proposal.objects.select_related("question", "author")
        .filter(question__roundtable=roundtable, pk=proposal_id)
        .first()
    )
    if proposal is None:
        raise ServiceError("proposal_not_found")
    return proposal


def _proposal_event(
    *,
    roundtable: Roundtable,
    proposal: Proposal,
    action: str,
    actor: Participant,
    command_id: str | None,
    audit: dict[str, Any],
    with_voters: bool = False,
    notice: bool = True,
) -> Event:
    if proposal.status != ProposalStatus.VISIBLE and proposal.theme_id is not None:
        # Themes list what the public sees; it comes back to a theme at the next run if restored.
        proposal.theme, proposal.theme_fixed = None, False
        proposal.save(update_fields=["theme", "theme_fixed"])
    # Hidden or held (no longer the public's to see), or its text corrected: replays must show it as
    # it is now, not as it was (services/history.py).
    withdrawn = proposal.status != ProposalStatus.VISIBLE or action == "edit"
    if withdrawn:
        event_history_rewrite(roundtable=roundtable, proposals=[proposal])
    analysis_request(question_id=proposal.question_id)
    public, staff, private = proposal_layers(
        proposal=proposal, question=proposal.question, with_voters=with_voters
    )
    if notice and actor.pk != proposal.author_id:
        # The author's screen tells them what a moderator did to their proposal.
        private[str(proposal.author_id)]["notice"] = action
    if action == "flag":
        private.setdefault(str(actor.pk), {})["my_flag"] = True
    return event_record(
        roundtable=roundtable,
        kind="proposal.updated",
        data={**proposal_event_data(proposal=proposal, action=action), **public},
        staff={**staff, "audit": audit},
        private=private,
        actor=actor,
        command_id=command_id,
        rewrote_history=withdrawn,
    )


def _require_status(proposal: Proposal, *allowed: str) -> None:
    if proposal.status not in allowed:
        raise ServiceError("proposal_status_conflict")


def proposal_approve(
    *, roundtable_id: int, participant_id: int | None, proposal_id: int, command_id: str | None = None
) -> CommandResult:
    """Publish a proposal held for approval (pre-moderation, or flagged for review)."""

    def change(proposal: Proposal) -> tuple[dict[str, Any], bool]:
        _require_status(proposal, ProposalStatus.PENDING)
        was_flagged = proposal.flagged
        proposal.status, proposal.flagged = ProposalStatus.VISIBLE, False
        proposal.save(update_fields=["status", "flagged"])
        return {"flagged": was_flagged}, True

    return _moderate(
        roundtable_id=roundtable_id,
        participant_id=participant_id,
        proposal_id=proposal_id,
        action=Action.PROPOSAL_APPROVE,
        change=change,
        command_id=command_id,
    )


def proposal_hide(
    *,
    roundtable_id: int,
    participant_id: int | None,
    proposal_id: int,
    reason: str,
    command_id: str | None = None,
) -> CommandResult:
    """Take a proposal off the public screens, telling its author why."""
    try:
        cleaned = text_clean(text=reason, max_chars=HIDE_REASON_MAX_CHARS)
    except ServiceError as error:
        raise ServiceError("hide_reason_invalid", limit=HIDE_REASON_MAX_CHARS) from error

    def change(proposal: Proposal) -> tuple[dict[str, Any], bool]:
        _require_status(proposal, ProposalStatus.VISIBLE, ProposalStatus.PENDING)
        before = proposal.status
        proposal.status, proposal.hidden_reason, proposal.flagged = ProposalStatus.HIDDEN, cleaned, False
        proposal.pinned = False
        proposal.save(update_fields=["status", "hidden_reason", "flagged", "pinned"])
        return {"reason": cleaned, "was": before}, False

    return _moderate(
        roundtable_id=roundtable_id,
        participant_id=participant_id,
        proposal_id=proposal_id,
        action=Action.PROPOSAL_HIDE,
        change=change,
        command_id=command_id,
    )


def proposal_restore(
    *, roundtable_id: int, participant_id: int | None, proposal_id: int, command_id: str | None = None
) -> CommandResult:
    """Bring a hidden proposal back, with its votes."""

    def change(proposal: Proposal) -> tuple[dict[str, Any], bool]:
        _require_status(proposal, ProposalStatus.HIDDEN)
        reason = proposal.hidden_reason
        proposal.status, proposal.hidden_reason = ProposalStatus.VISIBLE, ""
        proposal.save(update_fields=["status", "hidden_reason"])
        return {"hidden_reason": reason}, True

    return _moderate(
        roundtable_id=roundtable_id,
        participant_id=participant_id,
        proposal_id=proposal_id,
        action=Action.PROPOSAL_RESTORE,
        change=change,
        command_id=command_id,
    )


def proposal_edit(
    *,
    roundtable_id: int,
    participant_id: int | None,
    proposal_id: int,
    text: str,
    command_id: str | None = None,
) -> CommandResult:
    """Correct a typo; the proposal shows it was edited and its author is told."""
    cleaned = text_clean(text=text, max_chars=settings.ROUNDTABLE_PROPOSAL_MAX_CHARS)

    def change(proposal: Proposal) -> tuple[dict[str, Any], bool]:
        _require_status(proposal, ProposalStatus.VISIBLE, ProposalStatus.PENDING, ProposalStatus.HIDDEN)
        if proposal.text == cleaned:
            raise ServiceError("text_unchanged")
        before = proposal.text
        # A corrected text needs a new vector (the next analysis run makes it).
        proposal.text, proposal.edited_at, proposal.vector_encoder = cleaned, timezone.now(), ""
        proposal.save(update_fields=["text", "edited_at", "vector_encoder"])
        return {"before": before, "after": cleaned}, False

    return _moderate(
        roundtable_id=roundtable_id,
        participant_id=participant_id,
        proposal_id=proposal_id,
        action=Action.PROPOSAL_EDIT,
        change=change,
        command_id=command_id,
    )


def proposal_pin(
    *,
    roundtable_id: int,
    participant_id: int | None,
    proposal_id: int,
    pinned: bool,
    command_id: str | None = None,
) -> CommandResult:
    """Pin a proposal to the top of its question's list (or unpin it)."""

    def change(proposal: Proposal) -> tuple[dict[str, Any], bool]:
        _require_status(proposal, ProposalStatus.VISIBLE)
        if proposal.pinned == pinned:
            raise ServiceError("proposal_status_conflict")
        proposal.pinned = pinned
        proposal.save(update_fields=["pinned"])
        return {"pinned": pinned}, False

    return _moderate(
        roundtable_id=roundtable_id,
        participant_id=participant_id,
        proposal_id=proposal_id,
        action=Action.PROPOSAL_PIN,
        change=change,
        command_id=command_id,
    )


def proposal_merge(
    *,
    roundtable_id: int,
    participant_id: int | None,
    proposal_id: int,
    into_id: int,
    command_id: str | None = None,
) -> CommandResult:
    """Merge a duplicate into the proposal that survives. Its votes follow to the survivor, except a
    person's who already voted on the survivor: their vote there stands, so nobody counts twice."""
    with transaction.atomic():
        roundtable, actor, earlier = command_begin(
            roundtable_id=roundtable_id,
            participant_id=participant_id,
            action=Action.PROPOSAL_MERGE,
            command_id=command_id,
        )
        if earlier is not None:
            return CommandResult(seq=earlier.seq, result={"proposal": into_id})
        merged = _proposal_in(roundtable=roundtable, proposal_id=proposal_id)
        survivor = _proposal_in(roundtable=roundtable, proposal_id=into_id)
        merge_require(merged=merged, survivor=survivor)
        already = set(Vote.objects.filter(proposal=survivor).values_list("participant_id", flat=True))
        moving = list(Vote.objects.filter(proposal=merged).exclude(participant_id__in=already))
        moved = {vote.participant_id: vote.choice for vote in moving}
        Vote.objects.filter(pk__in=[vote.pk for vote in moving]).update(proposal=survivor)
        dropped = Vote.objects.filter(proposal=merged).delete()[0]
        merged.status, merged.merged_into, merged.pinned = ProposalStatus.MERGED, survivor, False
        merged.theme, merged.theme_fixed = None, False
        merged.save(update_fields=["status", "merged_into", "pinned", "theme", "theme_fixed"])
        analysis_request(question_id=merged.question_id)

        merged_public, merged_staff, private = proposal_layers(proposal=merged, question=merged.question)
        survivor_public, survivor_staff, _ = proposal_layers(proposal=survivor, question=survivor.question)
        if actor.pk != merged.author_id:
            private[str(merged.author_id)]["notice"] = "merge"
        for voter, choice in moved.items():
            private.setdefault(str(voter), {})["survivor_my_vote"] = choice
        event = event_record(
            roundtable=roundtable,
            kind="proposal.merged",
            data={
                **proposal_event_data(proposal=merged, action="merge"),
                **merged_public,
                "into": survivor.pk,
                "survivor": survivor_public["proposal"],
            },
            staff={
                **merged_staff,
                "survivor": survivor_staff["proposal"],
                "audit": {"into": survivor.pk, "votes_moved": len(moved), "votes_dropped": dropped},
            },
            private=private,
            actor=actor,
            command_id=command_id,
        )
    return CommandResult(seq=event.seq, result={"proposal": survivor.pk})


def proposal_flag(
    *, roundtable_id: int, participant_id: int | None, proposal_id: int, command_id: str | None = None
) -> CommandResult:
    """A participant reports a proposal. Once `flag_threshold` established seats have (see
    _reports_that_hide), it is held for review, unless a moderator already approved or restored it:
    then reports only reach the moderators (the console shows the count), so a handful of fresh seats
    cannot take a proposal off the screens again after every approval."""
    with transaction.atomic():
        roundtable, flagger, earlier = command_begin(
            roundtable_id=roundtable_id,
            participant_id=participant_id,
            action=Action.PROPOSAL_FLAG,
            command_id=command_id,
        )
        if earlier is not None:
            return CommandResult(seq=earlier.seq, result={"proposal": proposal_id})
        proposal = _proposal_in(roundtable=roundtable, proposal_id=proposal_id)
        if proposal.status != ProposalStatus.VISIBLE:
            raise ServiceError("proposal_hidden")
        if proposal.author_id == flagger.pk:
            raise ServiceError("flag_own")
        if Flag.objects.filter(proposal=proposal, participant=flagger).exists():
            return CommandResult(seq=None, result={"proposal": proposal.pk})
        Flag.objects.create(proposal=proposal, participant=flagger)
        count = Flag.objects.filter(proposal=proposal).count()
        counted = _reports_that_hide(proposal=proposal)
        held = counted >= roundtable.flag_threshold and not _cleared_by_moderator(
            roundtable=roundtable, proposal=proposal
        )
        if held:
            proposal.status, proposal.flagged, proposal.pinned = ProposalStatus.PENDING, True, False
            proposal.save(update_fields=["status", "flagged", "pinned"])
        event = _proposal_event(
            roundtable=roundtable,
            proposal=proposal,
            action="flag",
            actor=flagger,
            command_id=command_id,
            audit={"flags": count, "counted": counted, "held": held},
            notice=held,
        )
    return CommandResult(seq=event.seq, result={"proposal": proposal.pk})


def _reports_that_hide(*, proposal: Proposal) -> int:
    """Reports from seats that were at least ROUNDTABLE_FLAG_MIN_SEAT_AGE_SECONDS old when they
    reported: a burst of seats taken a minute ago cannot hide anything by itself. Age, not activity: a
    fresh seat's votes cost nothing (a review hid a proposal with three seats of five quick votes each)."""
    min_age = timedelta(seconds=settings.ROUNDTABLE_FLAG_MIN_SEAT_AGE_SECONDS)
    flags = Flag.objects.filter(proposal=proposal).select_related("participant")
    return sum(1 for flag in flags if flag.created_at - flag.participant.joined_at >= min_age)


def _cleared_by_moderator(*, roundtable: Roundtable, proposal: Proposal) -> bool:
    """Whether a moderator has approved or restored this proposal: they judged it, so reports alone no
    longer take it down (it would be the reporters overruling the moderators)."""
    return Event.objects.filter(
        roundtable=roundtable,
        kind="proposal.updated",
        data__id=proposal.pk,
        data__action__in=["approve", "restore"],
    ).exists()
