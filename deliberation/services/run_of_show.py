"""The run of show: an organizer's plan for the session (each question's phases with durations, breaks,
a closing block) that the server then drives on time, and the moderator's hand on it (pause, resume,
extend, skip, back).

Every change writes the show and emits one `run_of_show.updated` (the whole value, as the snapshot has
it). A step that moves a question does so through the question service (`question_drive`), so the
usual `question.updated` goes out too, in the same transaction, just before it.

Exactly once: every Daphne process sweeps for running shows whose step has ended and calls
`run_of_show_fire(show, due)`; it takes the roundtable's lock and re-reads the show *with the due time it
was given* (as `question_timer_fire` does for countdowns), so the first caller ends the step and starts
the next, and every later caller finds nothing to do. The show's countdown on a question (its
`phase_ends_at`, set to the step's end) is ended by the same function, whichever sweep sees it first."""

import datetime
import math
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from deliberation.errors import ServiceError
from deliberation.models import (
    Event,
    Participant,
    Question,
    QuestionState,
    Roundtable,
    RunOfShow,
    RunOfShowState,
    RunStep,
    RunStepKind,
)
from deliberation.policy import Action, policy_require
from deliberation.selectors import run_of_show_steps, run_of_show_value
from deliberation.services.commands import CommandResult, command_begin
from deliberation.services.events import event_record, roundtable_lock
from deliberation.services.questions import question_drive

EVENT_KIND = "run_of_show.updated"
STEP_PHASES = (QuestionState.COLLECTING, QuestionState.VOTING, QuestionState.LOCKED)
STEP_MIN_SECONDS = 1
STEP_MAX_SECONDS = 4 * 60 * 60
STEPS_MAX = 60
TITLE_MAX_CHARS = 80
EXTEND_MIN_SECONDS = 30
EXTEND_MAX_SECONDS = 3600
# A step whose end is found this late (every process was down) does not hand its lateness on: the next
# step starts now, with its whole duration, instead of at the missed moment.
LATE_START_TOLERANCE = datetime.timedelta(seconds=5)
ACTIVE = (RunOfShowState.RUNNING, RunOfShowState.PAUSED)


@dataclass(frozen=True)
class PlanStep:
    """One step as an organizer plans it."""

    kind: str
    planned_seconds: int
    question_id: int | None = None
    phase: str = ""
    title: dict[str, str] | None = None


# --- Reading under the lock, and the one event. -------------------------------------------------------


def _show_of(roundtable: Roundtable) -> RunOfShow:
    show = RunOfShow.objects.filter(roundtable=roundtable).first()
    if show is None:
        raise ServiceError("run_of_show_missing")
    return show


def _emit(
    *,
    roundtable: Roundtable,
    show: RunOfShow,
    actor: Participant | None,
    command_id: str | None,
    audit: dict[str, Any],
) -> Event:
    value = run_of_show_value(
        show=show,
        steps=run_of_show_steps(show=show),
        starts_at=roundtable.starts_at,
        ends_at=roundtable.ends_at,
    )
    return event_record(
        roundtable=roundtable,
        kind=EVENT_KIND,
        data=value,
        staff={"audit": audit},
        actor=actor,
        command_id=command_id,
    )


# --- Moving between steps (the caller holds the roundtable's lock). -------------------------------------


def _run_record(step: RunStep, *, ended: datetime.datetime | None, reason: str) -> dict[str, Any]:
    """A run of `step` that back sets aside (RunStep.earlier_runs)."""
    return {
        "started_at": step.started_at.isoformat(),
        "ended_at": ended.isoformat() if ended else None,
        "skipped": step.skipped,
        "extended_seconds": step.extended_seconds,
        "reason": reason,
    }


def _then(steps: list[RunStep], index: int) -> str:
    """The phase the plan's next step moves this step's question to, or "" when the next step leaves it
    where it is (another question, a break): then the question gets no countdown of its own."""
    step = steps[index]
    if step.kind != RunStepKind.PHASE or index + 1 >= len(steps):
        return ""
    following = steps[index + 1]
    same = following.kind == RunStepKind.PHASE and following.question_id == step.question_id
    return following.phase if same and following.phase != step.phase else ""


def _question_action(actor: Participant | None) -> str:
    return "phase" if actor is not None else "timer"


def _step_enter(
    *,
    roundtable: Roundtable,
    show: RunOfShow,
    steps: list[RunStep],
    index: int,
    start: datetime.datetime,
    actor: Participant | None,
) -> None:
    step = steps[index]
    if step.started_at is not None:
        # Back returned to a step that had run: its run is kept for the record, and it runs again.
        step.earlier_runs = [*step.earlier_runs, _run_record(step, ended=step.ended_at, reason="repeated")]
    step.started_at, step.ended_at, step.skipped, step.extended_seconds = start, None, False, 0
    step.save(update_fields=["started_at", "ended_at", "skipped", "extended_seconds", "earlier_runs"])
    show.state = RunOfShowState.RUNNING
    show.current = index
    show.step_ends_at = start + datetime.timedelta(seconds=step.planned_seconds)
    show.paused_remaining = show.paused_at = None
    if step.kind != RunStepKind.PHASE:
        return
    question = Question.objects.get(pk=step.question_id)
    then = _then(steps, index)
    ends_at = show.step_ends_at if then else None
    unchanged = (question.state, question.phase_ends_at, question.phase_then) == (step.phase, ends_at, then)
    if not unchanged or roundtable.current_question_id != question.pk:
        question_drive(
            roundtable=roundtable,
            question=question,
            state=step.phase,
            ends_at=show.step_ends_at,
            then=then,
            actor=actor,
            action=_question_action(actor),
            audit={"step": index + 1},
        )


def _clock_off(
    *,
    roundtable: Roundtable,
    step: RunStep,
    index: int,
    ended: datetime.datetime | None,
    actor: Participant | None,
) -> None:
    """Take the show's countdown off this step's question (the one ending at `ended`, the step's end);
    a question a moderator moved by hand meanwhile has none, and keeps what they chose."""
    if step.kind != RunStepKind.PHASE or ended is None:
        return
    question = Question.objects.get(pk=step.question_id)
    if question.phase_ends_at is None or question.phase_ends_at != ended:
        return
    question_drive(
        roundtable=roundtable,
        question=question,
        state=question.state,
        ends_at=None,
        then="",
        actor=actor,
        action=_question_action(actor),
        audit={"step": index + 1},
    )


def _clock_on(
    *,
    roundtable: Roundtable,
    steps: list[RunStep],
    index: int,
    ends_at: datetime.datetime,
    was: datetime.datetime | None,
    actor: Participant,
) -> None:
    """Give this step's question the show's countdown at `ends_at` (resume; extend, where it had the one
    ending at `was`): only while it is still in the step's phase (a moderator may have moved it by hand)
    and the plan moves it on at the step's end."""
    step = steps[index]
    if step.kind != RunStepKind.PHASE:
        return
    question = Question.objects.get(pk=step.question_id)
    then = _then(steps, index)
    if not then or question.state != step.phase or question.phase_ends_at not in (None, was):
        return
    question_drive(
        roundtable=roundtable,
        question=question,
        state=question.state,
        ends_at=ends_at,
        then=then,
        actor=actor,
        action="phase",
        audit={"step": index + 1},
    )


def _step_leave(
    *,
    roundtable: Roundtable,
    show: RunOfShow,
    steps: list[RunStep],
    index: int,
    moment: datetime.datetime,
    actor: Participant | None,
    skipped: bool = False,
    undo: bool = False,
) -> None:
    """End the current step at `moment` (or, going back, undo it: it will run again later). Its
    question's countdown goes with it, unless the step entered next moves that question anyway."""
    step = steps[index]
    following = index - 1 if undo else index + 1
    next_moves_it = (
        0 <= following < len(steps)
        and steps[following].kind == RunStepKind.PHASE
        and steps[following].question_id == step.question_id
    )
    if not next_moves_it:
        _clock_off(roundtable=roundtable, step=step, index=index, ended=show.step_ends_at, actor=actor)
    if undo:
        # It ran until now: the record keeps that run (the published document says so), and the step
        # itself is to come again.
        if step.started_at is not None:
            step.earlier_runs = [*step.earlier_runs, _run_record(step, ended=moment, reason="undone")]
        step.started_at = step.ended_at = None
        step.skipped, step.extended_seconds = False, 0
    else:
        step.ended_at, step.skipped = moment, skipped
    step.save(update_fields=["started_at", "ended_at", "skipped", "extended_seconds", "earlier_runs"])


def _advance(
    *,
    roundtable: Roundtable,
    show: RunOfShow,
    moment: datetime.datetime,
    actor: Participant | None,
    skipped: bool,
) -> None:
    """The current step ends at `moment`; the next starts then, or the show is over."""
    steps = run_of_show_steps(show=show)
    index = show.current
    _step_leave(
        roundtable=roundtable,
        show=show,
        steps=steps,
        index=index,
        moment=moment,
        actor=actor,
        skipped=skipped,
    )
    if index + 1 < len(steps):
        _step_enter(roundtable=roundtable, show=show, steps=steps, index=index + 1, start=moment, actor=actor)
    else:
        show.state = RunOfShowState.FINISHED
        show.current = show.step_ends_at = show.paused_remaining = show.paused_at = None
        show.finished_at = moment
    show.save()


# --- The clock: every process sweeps, one acts. ---------------------------------------------------------


def run_of_shows_due(*, now: datetime.datetime | None = None) -> list[tuple[int, datetime.datetime]]:
    """Running shows whose current step has ended and not yet been moved on: (show id, due time)."""
    return list(
        RunOfShow.objects.filter(
            state=RunOfShowState.RUNNING, step_ends_at__lte=now or timezone.now()
        ).values_list("pk", "step_ends_at")
    )


def _due_advance(*, roundtable: Roundtable, show: RunOfShow, due: datetime.datetime) -> Event:
    now = timezone.now()
    moment = due if now - due <= LATE_START_TOLERANCE else now
    audit = {"action": "run_of_show.advance", "step": show.current + 1, "late_seconds": _late(now, due)}
    _advance(roundtable=roundtable, show=show, moment=moment, actor=None, skipped=False)
    return _emit(roundtable=roundtable, show=show, actor=None, command_id=None, audit=audit)


def _late(now: datetime.datetime, due: datetime.datetime) -> int:
    return max(0, math.floor((now - due).total_seconds()))


def run_of_show_fire(*, show_id: int, due: datetime.datetime) -> int | None:
    """End the current step whose time ran out at `due` and start the next. Several processes may call
    this for the same step; the conditional read under the roundtable lock lets exactly one do it.

    Returns the seq of the run_of_show.updated written, or None when there was nothing (left) to do."""
    roundtable_id = RunOfShow.objects.filter(pk=show_id).values_list("roundtable_id", flat=True).first()
    if roundtable_id is None or due > timezone.now():
        return None
    with transaction.atomic():
        roundtable = roundtable_lock(roundtable_id=roundtable_id)
        show = RunOfShow.objects.filter(pk=show_id, state=RunOfShowState.RUNNING, step_ends_at=due).first()
        if show is None:
            return None
        event = _due_advance(roundtable=roundtable, show=show, due=due)
    return event.seq


def run_of_show_step_due_on(
    *, roundtable: Roundtable, question: Question, due: datetime.datetime
) -> Event | None:
    """For `question_timer_fire`, under its lock: if this countdown is the running show's current step
    ending, end the step (one decision for both sweeps); else None: the countdown is the question's own."""
    show = RunOfShow.objects.filter(
        roundtable=roundtable, state=RunOfShowState.RUNNING, step_ends_at=due
    ).first()
    if show is None:
        return None
    step = RunStep.objects.filter(show=show, position=show.current).first()
    if step is None or step.question_id != question.pk:
        return None
    return _due_advance(roundtable=roundtable, show=show, due=due)


# --- The moderator's commands. --------------------------------------------------------------------------


def _command(
    *,
    roundtable_id: int,
    participant_id: int | None,
    action: Action,
    command_id: str | None,
    show_required: bool = True,
) -> tuple[Roundtable, Participant, Event | None, RunOfShow | None]:
    roundtable, actor, earlier = command_begin(
        roundtable_id=roundtable_id, participant_id=participant_id, action=action, command_id=command_id
    )
    if earlier is not None:
        return roundtable, actor, earlier, None
    if not show_required:
        return roundtable, actor, None, RunOfShow.objects.filter(roundtable=roundtable).first()
    return roundtable, actor, None, _show_of(roundtable)


def _require(show: RunOfShow, *states: str) -> None:
    if show.state in states:
        return
    if show.state == RunOfShowState.PLANNED:
        raise ServiceError("run_of_show_not_started")
    if show.state == RunOfShowState.FINISHED:
        raise ServiceError("run_of_show_finished")
    if show.state == RunOfShowState.PAUSED:
        raise ServiceError("run_of_show_paused")
    raise ServiceError("run_of_show_not_paused")


def run_of_show_start(
    *, roundtable_id: int, participant_id: int | None, command_id: str | None = None
) -> CommandResult:
    """ "Start the session": the first step starts now, and the server drives the rest on time."""
    with transaction.atomic():
        roundtable, actor, earlier, show = _command(
            roundtable_id=roundtable_id,
            participant_id=participant_id,
            action=Action.RUN_OF_SHOW_START,
            command_id=command_id,
            show_required=False,
        )
        if earlier is not None:
            return CommandResult(seq=earlier.seq)
        audit: dict[str, Any] = {"action": "run_of_show.start", "step": 1}
        if show is None:
            # No plan was ever saved: the session runs the suggested one (the plan the organize page
            # offers), saved here, under the same lock, in the same event. A moderator who never opened
            # the organize page can start; an organizer can still change the plan once it is over.
            suggestion = run_of_show_suggested(roundtable=roundtable)
            show = _plan_write(roundtable=roundtable, steps=suggestion)
            audit |= {"plan": "suggested", **_plan_size(suggestion)}
        if show.state != RunOfShowState.PLANNED:
            raise ServiceError("run_of_show_already_started")
        steps = run_of_show_steps(show=show)
        if not steps:
            raise ServiceError("run_of_show_empty")
        now = timezone.now()
        show.started_at = now
        _step_enter(roundtable=roundtable, show=show, steps=steps, index=0, start=now, actor=actor)
        show.save()
        event = _emit(roundtable=roundtable, show=show, actor=actor, command_id=command_id, audit=audit)
    return CommandResult(seq=event.seq)


def run_of_show_pause(
    *, roundtable_id: int, participant_id: int | None, command_id: str | None = None
) -> CommandResult:
    """Stop the clock: the current step keeps the seconds it had left (its question stays in its phase,
    without a countdown), until resumed."""
    with transaction.atomic():
        roundtable, actor, earlier, show = _command(
            roundtable_id=roundtable_id,
            participant_id=participant_id,
            action=Action.RUN_OF_SHOW_PAUSE,
            command_id=command_id,
        )
        if earlier is not None:
            return CommandResult(seq=earlier.seq)
        _require(show, RunOfShowState.RUNNING)
        steps = run_of_show_steps(show=show)
        now = timezone.now()
        remaining = max(0, math.ceil((show.step_ends_at - now).total_seconds()))
        _clock_off(
            roundtable=roundtable,
            step=steps[show.current],
            index=show.current,
            ended=show.step_ends_at,
            actor=actor,
        )
        show.state = RunOfShowState.PAUSED
        show.paused_remaining, show.paused_at, show.step_ends_at = remaining, now, None
        show.save()
        event = _emit(
            roundtable=roundtable,
            show=show,
            actor=actor,
            command_id=command_id,
            audit={"action": "run_of_show.pause", "step": show.current + 1, "remaining": remaining},
        )
    return CommandResult(seq=event.seq)


def run_of_show_resume(
    *, roundtable_id: int, participant_id: int | None, command_id: str | None = None
) -> CommandResult:
    """Start the clock again: the current step ends when the seconds it had left have passed."""
    with transaction.atomic():
        roundtable, actor, earlier, show = _command(
            roundtable_id=roundtable_id,
            participant_id=participant_id,
            action=Action.RUN_OF_SHOW_RESUME,
            command_id=command_id,
        )
        if earlier is not None:
            return CommandResult(seq=earlier.seq)
        _require(show, RunOfShowState.PAUSED)
        steps = run_of_show_steps(show=show)
        show.state = RunOfShowState.RUNNING
        show.step_ends_at = timezone.now() + datetime.timedelta(seconds=show.paused_remaining)
        show.paused_remaining = show.paused_at = None
        _clock_on(
            roundtable=roundtable,
            steps=steps,
            index=show.current,
            ends_at=show.step_ends_at,
            was=None,
            actor=actor,
        )
        show.save()
        event = _emit(
            roundtable=roundtable,
            show=show,
            actor=actor,
            command_id=command_id,
            audit={"action": "run_of_show.resume", "step": show.current + 1},
        )
    return CommandResult(seq=event.seq)


def run_of_show_extend(
    *, roundtable_id: int, participant_id: int | None, seconds: int, command_id: str | None = None
) -> CommandResult:
    """Give the current step more time (running or paused); the rest of the plan moves with it."""
    if not EXTEND_MIN_SECONDS <= seconds <= EXTEND_MAX_SECONDS:
        raise ServiceError(
            "run_of_show_extend_invalid", minimum=EXTEND_MIN_SECONDS, maximum=EXTEND_MAX_SECONDS // 60
        )
    with transaction.atomic():
        roundtable, actor, earlier, show = _command(
            roundtable_id=roundtable_id,
            participant_id=participant_id,
            action=Action.RUN_OF_SHOW_EXTEND,
            command_id=command_id,
        )
        if earlier is not None:
            return CommandResult(seq=earlier.seq)
        _require(show, *ACTIVE)
        steps = run_of_show_steps(show=show)
        step = steps[show.current]
        step.extended_seconds += seconds
        step.save(update_fields=["extended_seconds"])
        if show.state == RunOfShowState.RUNNING:
            # Its question's countdown is the step's end: it moves along.
            was = show.step_ends_at
            show.step_ends_at = was + datetime.timedelta(seconds=seconds)
            _clock_on(
                roundtable=roundtable,
                steps=steps,
                index=show.current,
                ends_at=show.step_ends_at,
                was=was,
                actor=actor,
            )
        else:
            show.paused_remaining += seconds
        show.save()
        event = _emit(
            roundtable=roundtable,
            show=show,
            actor=actor,
            command_id=command_id,
            audit={"action": "run_of_show.extend", "step": show.current + 1, "time_added": seconds},
        )
    return CommandResult(seq=event.seq)


def run_of_show_skip(
    *, roundtable_id: int, participant_id: int | None, command_id: str | None = None
) -> CommandResult:
    """End the current step now (marked skipped) and start the next, running (also from a pause)."""
    with transaction.atomic():
        roundtable, actor, earlier, show = _command(
            roundtable_id=roundtable_id,
            participant_id=participant_id,
            action=Action.RUN_OF_SHOW_SKIP,
            command_id=command_id,
        )
        if earlier is not None:
            return CommandResult(seq=earlier.seq)
        _require(show, *ACTIVE)
        skipped = show.current + 1
        _advance(roundtable=roundtable, show=show, moment=timezone.now(), actor=actor, skipped=True)
        event = _emit(
            roundtable=roundtable,
            show=show,
            actor=actor,
            command_id=command_id,
            audit={"action": "run_of_show.skip", "step": skipped},
        )
    return CommandResult(seq=event.seq)


def run_of_show_back(
    *, roundtable_id: int, participant_id: int | None, command_id: str | None = None
) -> CommandResult:
    """Return to the previous step and run it again from the start, with its planned duration; the step
    that was running is undone (it will run again after it)."""
    with transaction.atomic():
        roundtable, actor, earlier, show = _command(
            roundtable_id=roundtable_id,
            participant_id=participant_id,
            action=Action.RUN_OF_SHOW_BACK,
            command_id=command_id,
        )
        if earlier is not None:
            return CommandResult(seq=earlier.seq)
        _require(show, *ACTIVE)
        if show.current == 0:
            raise ServiceError("run_of_show_no_previous")
        steps = run_of_show_steps(show=show)
        index, now = show.current, timezone.now()
        _step_leave(
            roundtable=roundtable, show=show, steps=steps, index=index, moment=now, actor=actor, undo=True
        )
        _step_enter(roundtable=roundtable, show=show, steps=steps, index=index - 1, start=now, actor=actor)
        show.save()
        event = _emit(
            roundtable=roundtable,
            show=show,
            actor=actor,
            command_id=command_id,
            audit={"action": "run_of_show.back", "step": index},
        )
    return CommandResult(seq=event.seq)


# --- The organizer's plan. ------------------------------------------------------------------------------


def _plan_validate(*, roundtable: Roundtable, steps: list[PlanStep]) -> None:
    if not steps:
        raise ServiceError("run_of_show_empty")
    if len(steps) > STEPS_MAX:
        raise ServiceError("run_of_show_too_many", limit=STEPS_MAX)
    questions = set(Question.objects.filter(roundtable=roundtable).values_list("pk", flat=True))
    for number, step in enumerate(steps, start=1):
        if step.kind not in RunStepKind.values:
            raise ServiceError("run_of_show_kind_invalid", number=number)
        if not STEP_MIN_SECONDS <= step.planned_seconds <= STEP_MAX_SECONDS:
            raise ServiceError("run_of_show_duration_invalid", number=number, maximum=STEP_MAX_SECONDS // 60)
        if step.kind == RunStepKind.PHASE:
            if step.question_id not in questions or step.phase not in STEP_PHASES:
                raise ServiceError("run_of_show_question_invalid", number=number)
        elif any(len(text) > TITLE_MAX_CHARS for text in (step.title or {}).values()) or set(
            step.title or {}
        ) - set(roundtable.languages):
            raise ServiceError("run_of_show_title_invalid", number=number, limit=TITLE_MAX_CHARS)


def run_of_show_plan(*, roundtable: Roundtable, organizer: Participant, steps: list[PlanStep]) -> Event:
    """Replace the plan (before the session starts, or after it finished: a new run from the start).
    Everything is checked before anything is written."""
    policy_require(participant=organizer, action=Action.RUN_OF_SHOW_PLAN)
    _plan_validate(roundtable=roundtable, steps=steps)
    with transaction.atomic():
        locked = roundtable_lock(roundtable_id=roundtable.pk)
        show = _plan_write(roundtable=locked, steps=steps)
        return _emit(
            roundtable=locked,
            show=show,
            actor=organizer,
            command_id=None,
            audit={"action": "run_of_show.plan", **_plan_size(steps)},
        )


def _plan_size(steps: list[PlanStep]) -> dict[str, int]:
    return {"steps": len(steps), "minutes": round(sum(step.planned_seconds for step in steps) / 60)}


def _plan_write(*, roundtable: Roundtable, steps: list[PlanStep]) -> RunOfShow:
    """Write `steps` as the roundtable's plan, not started (the caller holds the roundtable's lock)."""
    show, _created = RunOfShow.objects.get_or_create(roundtable=roundtable)
    if show.state in ACTIVE:
        raise ServiceError("run_of_show_started")
    show.steps.all().delete()
    RunStep.objects.bulk_create(
        RunStep(
            show=show,
            position=position,
            kind=step.kind,
            question_id=step.question_id if step.kind == RunStepKind.PHASE else None,
            phase=step.phase if step.kind == RunStepKind.PHASE else "",
            title={}
            if step.kind == RunStepKind.PHASE
            else {k: v.strip() for k, v in (step.title or {}).items() if v.strip()},
            planned_seconds=step.planned_seconds,
        )
        for position, step in enumerate(steps)
    )
    show.state = RunOfShowState.PLANNED
    show.started_at = show.finished_at = show.current = show.step_ends_at = None
    show.paused_remaining = show.paused_at = None
    show.save()
    return show


def run_of_show_titles(*, roundtable: Roundtable) -> dict[str, dict[str, str]]:
    """The suggested plan's break and closing titles in each of the roundtable's languages."""
    titles: dict[str, dict[str, str]] = {"break": {}, "closing": {}}
    for language in roundtable.languages:
        with translation.override(language):
            titles["break"][language] = str(_("Break"))
            titles["closing"][language] = str(_("Closing"))
    return titles


def run_of_show_suggested(*, roundtable: Roundtable) -> list[PlanStep]:
    """The suggested plan, with the break's and closing's default titles in every language."""
    return run_of_show_default(roundtable=roundtable, titles=run_of_show_titles(roundtable=roundtable))


def run_of_show_suggestion(*, roundtable: Roundtable) -> dict[str, Any]:
    """The suggested plan as the run of show's value would carry it once started (state "planned",
    `suggested`: true, steps without ids): what the console shows, and what "Start the session" saves
    and runs, while no plan has been saved. A read, here beside the suggestion it reads."""
    questions = {question.pk: question for question in roundtable.questions.all()}
    steps = [
        RunStep(
            position=position,
            kind=step.kind,
            question=questions.get(step.question_id),
            phase=step.phase if step.kind == RunStepKind.PHASE else "",
            title={} if step.kind == RunStepKind.PHASE else dict(step.title or {}),
            planned_seconds=step.planned_seconds,
        )
        for position, step in enumerate(run_of_show_suggested(roundtable=roundtable))
    ]
    value = run_of_show_value(
        show=RunOfShow(roundtable=roundtable, state=RunOfShowState.PLANNED),
        steps=steps,
        starts_at=roundtable.starts_at,
        ends_at=roundtable.ends_at,
    )
    return {**value, "suggested": True}


def run_of_show_default(*, roundtable: Roundtable, titles: dict[str, dict[str, str]]) -> list[PlanStep]:
    """A plan that fits the roundtable's start and end (90 minutes when it has none): each question gets
    an equal share, 60 % collecting, 25 % voting and the rest locked for the room check, and a closing
    block of about a tenth; a break of 10 minutes halfway when the session lasts two hours or more.
    `titles`: the break's and the closing's default titles by language ({"break": {…}, "closing": {…}})."""
    questions = list(roundtable.questions.order_by("order"))
    total = 90
    if roundtable.starts_at and roundtable.ends_at and roundtable.ends_at > roundtable.starts_at:
        total = max(1, int((roundtable.ends_at - roundtable.starts_at).total_seconds() // 60))
    if not questions:
        return [PlanStep(kind=RunStepKind.CLOSING, planned_seconds=total * 60, title=titles["closing"])]
    closing = max(1, round(total * 0.1))
    pause = 10 if total >= 120 else 0
    share = max(3, (total - closing - pause) // len(questions))
    closing = max(1, total - pause - share * len(questions))
    steps: list[PlanStep] = []
    for number, question in enumerate(questions):
        if pause and number == len(questions) // 2:
            steps.append(PlanStep(kind=RunStepKind.BREAK, planned_seconds=pause * 60, title=titles["break"]))
        collecting = max(1, round(share * 0.6))
        voting = max(1, round(share * 0.25))
        locked = max(1, share - collecting - voting)
        for phase, minutes in (
            (QuestionState.COLLECTING, collecting),
            (QuestionState.VOTING, voting),
            (QuestionState.LOCKED, locked),
        ):
            steps.append(
                PlanStep(
                    kind=RunStepKind.PHASE, planned_seconds=minutes * 60, question_id=question.pk, phase=phase
                )
            )
    steps.append(PlanStep(kind=RunStepKind.CLOSING, planned_seconds=closing * 60, title=titles["closing"]))
    return steps
