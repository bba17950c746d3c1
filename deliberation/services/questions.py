"""Steering a question: its phase (with an optional countdown the server ends), its switches, and which
question the projector screen shows."""

import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from deliberation.errors import ServiceError
from deliberation.models import (
    Event,
    Participant,
    Proposal,
    Question,
    QuestionState,
    Roundtable,
    RunOfShow,
    RunOfShowState,
)
from deliberation.policy import Action
from deliberation.selectors import opinions_for, question_public
from deliberation.services.commands import CommandResult, command_begin, question_in
from deliberation.services.events import event_record, roundtable_lock
from deliberation.services.history import event_history_rewrite
from deliberation.services.proposal_events import proposals_views

# The phase a countdown leads to when the moderator does not say: the next one along.
NEXT_PHASE = {
    QuestionState.CLOSED: QuestionState.COLLECTING,
    QuestionState.COLLECTING: QuestionState.VOTING,
    QuestionState.VOTING: QuestionState.LOCKED,
    QuestionState.LOCKED: QuestionState.CLOSED,
}
OPEN_PHASES = {QuestionState.COLLECTING, QuestionState.VOTING}


def question_require_open(*, question: Question, for_proposals: bool) -> None:
    """Refuse a proposal or vote outside its phase, including in the moment between a countdown's end
    and the server moving the question on."""
    timer_over = question.phase_ends_at is not None and question.phase_ends_at <= timezone.now()
    if for_proposals and (not question.accepts_proposals or timer_over):
        raise ServiceError("question_not_collecting")
    if not for_proposals and (not question.accepts_votes or timer_over):
        raise ServiceError("question_not_voting")


def _question_event(
    *,
    roundtable: Roundtable,
    question: Question,
    action: str,
    actor: Participant | None,
    command_id: str | None,
    views_changed: bool,
    audit: dict[str, Any],
    withdraws_authors: bool = False,
) -> Event:
    data: dict[str, Any] = {
        "question": question_public(question=question),
        "current_question": roundtable.current_question_id,
        "action": action,
    }
    staff: dict[str, Any] = {"audit": audit}
    private: dict[str, dict[str, Any]] = {}
    if views_changed:
        proposals = list(Proposal.objects.filter(question=question).select_related("author", "question"))
        data["proposals"], staff["proposals"], private = proposals_views(proposals=proposals)
        if withdraws_authors:
            # Made anonymous: replays must not name the authors either (services/history.py).
            event_history_rewrite(roundtable=roundtable, proposals=proposals)
        # Showing or hiding tallies shows or hides the opinion map's per-proposal figures too.
        data["opinions"] = opinions_for(question=question, staff=False)
        staff["opinions"] = opinions_for(question=question, staff=True)
    return event_record(
        roundtable=roundtable,
        kind="question.updated",
        data=data,
        staff=staff,
        private=private,
        actor=actor,
        command_id=command_id,
        rewrote_history=views_changed and withdraws_authors,
    )


def _public_look(question: Question) -> tuple[bool, bool]:
    return question.anonymous, question.tallies_public


def _move(*, roundtable: Roundtable, question: Question, state: str, show: bool = False) -> None:
    question.state = state
    # The screen follows the question a moderator opens (and every question the run of show steers).
    if (show or state in OPEN_PHASES) and roundtable.current_question_id != question.pk:
        roundtable.current_question = question
        roundtable.save(update_fields=["current_question"])


def question_phase_set(
    *,
    roundtable_id: int,
    participant_id: int | None,
    question_id: int,
    state: str,
    duration_seconds: int | None = None,
    then: str | None = None,
    command_id: str | None = None,
) -> CommandResult:
    """Move a question to a phase, optionally for `duration_seconds`, after which the server moves it to
    `then` (by default the next phase: collecting → voting → locked)."""
    if state not in QuestionState.values or (then is not None and then not in QuestionState.values):
        raise ServiceError("phase_invalid")
    if duration_seconds is not None and not (
        settings.ROUNDTABLE_TIMER_MIN_SECONDS <= duration_seconds <= settings.ROUNDTABLE_TIMER_MAX_SECONDS
    ):
        raise ServiceError(
            "timer_invalid",
            minimum=settings.ROUNDTABLE_TIMER_MIN_SECONDS,
            maximum=settings.ROUNDTABLE_TIMER_MAX_SECONDS // 60,
        )
    if duration_seconds is None and then is not None:
        raise ServiceError("timer_invalid_then")
    next_state = (then or NEXT_PHASE[state]) if duration_seconds is not None else ""
    if next_state == state:
        raise ServiceError("timer_invalid_then")
    with transaction.atomic():
        roundtable, actor, earlier = command_begin(
            roundtable_id=roundtable_id,
            participant_id=participant_id,
            action=Action.QUESTION_PHASE,
            command_id=command_id,
        )
        if earlier is not None:
            return CommandResult(seq=earlier.seq)
        question = question_in(roundtable=roundtable, question_id=question_id)
        if (
            duration_seconds is not None
            and RunOfShow.objects.filter(
                roundtable=roundtable, state__in=[RunOfShowState.RUNNING, RunOfShowState.PAUSED]
            ).exists()
        ):
            # One clock at a time: while the run of show keeps time, time is changed through it.
            raise ServiceError("run_of_show_owns_clock")
        before = question.state
        look = _public_look(question)
        _move(roundtable=roundtable, question=question, state=state)
        question.phase_ends_at = (
            timezone.now() + datetime.timedelta(seconds=duration_seconds) if duration_seconds else None
        )
        question.phase_then = next_state
        question.save(update_fields=["state", "phase_ends_at", "phase_then"])
        event = _question_event(
            roundtable=roundtable,
            question=question,
            action="phase",
            actor=actor,
            command_id=command_id,
            views_changed=look != _public_look(question),
            audit={"from": before, "to": state, "seconds": duration_seconds, "then": next_state or None},
        )
    return CommandResult(seq=event.seq)


def question_drive(
    *,
    roundtable: Roundtable,
    question: Question,
    state: str,
    ends_at: datetime.datetime | None,
    then: str,
    actor: Participant | None,
    action: str,
    audit: dict[str, Any],
) -> Event:
    """The run of show moves a question (services/run_of_show.py): to `state`, with a countdown to
    `ends_at` (its step's end) when the plan's next step moves this question to `then`, else none.
    The caller holds the roundtable's lock; the usual question.updated follows, without a command id
    (the run of show's own event carries it)."""
    before, look = question.state, _public_look(question)
    _move(roundtable=roundtable, question=question, state=state, show=True)
    question.phase_ends_at = ends_at if then else None
    question.phase_then = then if ends_at is not None else ""
    question.save(update_fields=["state", "phase_ends_at", "phase_then"])
    return _question_event(
        roundtable=roundtable,
        question=question,
        action=action,
        actor=actor,
        command_id=None,
        views_changed=look != _public_look(question),
        audit={"from": before, "to": state, "then": question.phase_then or None, **audit},
    )


def question_timer_fire(*, question_id: int, due: datetime.datetime) -> int | None:
    """End a countdown: move the question to its `then` phase. Several processes may call this for the
    same countdown; the conditional read under the roundtable lock lets exactly one of them do it.

    Returns the seq of the event written, or None when there was nothing (left) to do."""
    roundtable_id = Question.objects.filter(pk=question_id).values_list("roundtable_id", flat=True).first()
    if roundtable_id is None or due > timezone.now():
        return None
    with transaction.atomic():
        roundtable = roundtable_lock(roundtable_id=roundtable_id)
        question = Question.objects.filter(pk=question_id, phase_ends_at=due).first()
        if question is None:
            return None
        # A countdown the run of show set is its step's end: the show ends the step (and moves the
        # question) in this same transaction, so the two sweeps cannot both act on it.
        from deliberation.services.run_of_show import run_of_show_step_due_on

        driven = run_of_show_step_due_on(roundtable=roundtable, question=question, due=due)
        if driven is not None:
            return driven.seq
        before, look = question.state, _public_look(question)
        _move(roundtable=roundtable, question=question, state=question.phase_then)
        question.phase_ends_at = None
        question.phase_then = ""
        question.save(update_fields=["state", "phase_ends_at", "phase_then"])
        event = _question_event(
            roundtable=roundtable,
            question=question,
            action="timer",
            actor=None,
            command_id=None,
            views_changed=look != _public_look(question),
            audit={"from": before, "to": question.state},
        )
    return event.seq


def questions_due(*, now: datetime.datetime | None = None) -> list[tuple[int, datetime.datetime]]:
    """Countdowns that have run out and not yet been ended: (question id, due time)."""
    return list(
        Question.objects.filter(phase_ends_at__lte=now or timezone.now()).values_list("pk", "phase_ends_at")
    )


SWITCHES = ("premoderation", "tallies_hidden", "anonymous")


def question_settings_set(
    *,
    roundtable_id: int,
    participant_id: int | None,
    question_id: int,
    switches: dict[str, bool],
    command_id: str | None = None,
) -> CommandResult:
    """Turn a question's switches on or off: pre-moderation, hidden tallies, anonymous authorship."""
    if not switches or set(switches) - set(SWITCHES):
        raise ServiceError("invalid")
    with transaction.atomic():
        roundtable, actor, earlier = command_begin(
            roundtable_id=roundtable_id,
            participant_id=participant_id,
            action=Action.QUESTION_SETTINGS,
            command_id=command_id,
        )
        if earlier is not None:
            return CommandResult(seq=earlier.seq)
        question = question_in(roundtable=roundtable, question_id=question_id)
        changed = {name: value for name, value in switches.items() if getattr(question, name) != value}
        if not changed:
            return CommandResult(seq=None)
        look = _public_look(question)
        for name, value in changed.items():
            setattr(question, name, value)
        question.save(update_fields=list(changed))
        event = _question_event(
            roundtable=roundtable,
            question=question,
            action="settings",
            actor=actor,
            command_id=command_id,
            views_changed=look != _public_look(question),
            audit={"switches": changed},
            withdraws_authors=changed.get("anonymous") is True,
        )
    return CommandResult(seq=event.seq)


def roundtable_show_question(
    *, roundtable_id: int, participant_id: int | None, question_id: int, command_id: str | None = None
) -> CommandResult:
    """Put a question on the projector screen."""
    with transaction.atomic():
        roundtable, actor, earlier = command_begin(
            roundtable_id=roundtable_id,
            participant_id=participant_id,
            action=Action.ROUNDTABLE_SHOW_QUESTION,
            command_id=command_id,
        )
        if earlier is not None:
            return CommandResult(seq=earlier.seq)
        question = question_in(roundtable=roundtable, question_id=question_id)
        if roundtable.current_question_id == question.pk:
            return CommandResult(seq=None)
        roundtable.current_question = question
        roundtable.save(update_fields=["current_question"])
        event = event_record(
            roundtable=roundtable,
            kind="roundtable.updated",
            data={"current_question": question.pk, "action": "show_question"},
            staff={"audit": {"question": question.order}},
            actor=actor,
            command_id=command_id,
        )
    return CommandResult(seq=event.seq)
