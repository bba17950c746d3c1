"""The run of show (issue 19): an organizer's plan that the server drives on time, once, with the
moderator's pause, resume, extend, skip and back; every change one run_of_show.updated, audited."""

import datetime

import pytest
from django.utils import timezone

from deliberation.errors import ServiceError
from deliberation.models import Event, Question, Role, RunOfShow, RunStep
from deliberation.selectors import audit_log, roundtable_snapshot
from deliberation.services import run_of_show as ros
from deliberation.services.questions import question_phase_set, question_timer_fire, questions_due
from tests.factories import ParticipantFactory, RoundtableFactory

pytestmark = pytest.mark.django_db

TITLES = {"break": {"en": "Break"}, "closing": {"en": "Closing"}}


@pytest.fixture
def room():
    start = datetime.datetime(2021, 5, 26, 12, 55, tzinfo=datetime.UTC)  # 9:55 at UTC-3
    roundtable = RoundtableFactory(
        starts_at=start, ends_at=start + datetime.timedelta(minutes=90), questions=["closed"] * 4
    )
    organizer = ParticipantFactory(roundtable=roundtable, display_name="Olga", role=Role.ORGANIZER)
    mod = ParticipantFactory(roundtable=roundtable, display_name="Mo", role=Role.MODERATOR)
    ana = ParticipantFactory(roundtable=roundtable, display_name="Ana")
    questions = list(roundtable.questions.order_by("order"))
    return roundtable, organizer, mod, ana, questions


def plan(roundtable, organizer, questions, seconds=60):
    """Q1 collecting, voting, locked; a break; Q2 collecting; the closing."""
    first, second = questions[0].pk, questions[1].pk
    steps = [
        ros.PlanStep(kind="phase", planned_seconds=seconds, question_id=first, phase="collecting"),
        ros.PlanStep(kind="phase", planned_seconds=seconds, question_id=first, phase="voting"),
        ros.PlanStep(kind="phase", planned_seconds=seconds, question_id=first, phase="locked"),
        ros.PlanStep(kind="break", planned_seconds=seconds, title={"en": "Coffee", "es": "Café"}),
        ros.PlanStep(kind="phase", planned_seconds=seconds, question_id=second, phase="collecting"),
        ros.PlanStep(kind="closing", planned_seconds=seconds, title={"en": "Closing"}),
    ]
    return ros.run_of_show_plan(roundtable=roundtable, organizer=organizer, steps=steps)


def ids(roundtable, who):
    return {"roundtable_id": roundtable.pk, "participant_id": who.pk}


def show_of(roundtable):
    return RunOfShow.objects.get(roundtable=roundtable)


def value(roundtable):
    roundtable.refresh_from_db()
    return roundtable_snapshot(roundtable=roundtable, viewer=None)["run_of_show"]


def kinds_since(roundtable, seq):
    return list(
        Event.objects.filter(roundtable=roundtable, seq__gt=seq)
        .order_by("seq")
        .values_list("kind", flat=True)
    )


def time_runs_out(roundtable):
    """The current step's end is now past (as if its minute went by); returns the due time."""
    show = show_of(roundtable)
    past = timezone.now() - datetime.timedelta(seconds=1)
    Question.objects.filter(roundtable=roundtable, phase_ends_at=show.step_ends_at).update(phase_ends_at=past)
    RunOfShow.objects.filter(pk=show.pk).update(step_ends_at=past)
    return show.pk, past


def test_the_default_plan_fits_the_seed_session_with_twelve_five_and_three_minutes(room):
    roundtable, organizer, _mod, _ana, questions = room
    steps = ros.run_of_show_default(roundtable=roundtable, titles=TITLES)
    minutes = [(step.kind, step.phase, step.planned_seconds // 60) for step in steps]
    assert minutes == [
        *[
            ("phase", phase, m)
            for _ in questions
            for phase, m in (("collecting", 12), ("voting", 5), ("locked", 3))
        ],
        ("closing", "", 10),
    ]
    ros.run_of_show_plan(roundtable=roundtable, organizer=organizer, steps=steps)
    shown = value(roundtable)
    assert shown["state"] == "planned" and shown["fits"] is True
    assert shown["projected_end"] == shown["planned_end"] == "2021-05-26T14:25:00+00:00"
    assert shown["steps"][1]["planned_start"] == "2021-05-26T13:07:00+00:00"
    assert shown["steps"][0]["question_order"] == 1 and shown["steps"][0]["title"] == {}
    assert shown["steps"][-1]["title"] == {"en": "Closing"}


def test_a_plan_longer_than_the_slot_does_not_fit(room):
    roundtable, organizer, _mod, _ana, questions = room
    plan(roundtable, organizer, questions, seconds=20 * 60)  # 6 x 20 min = 120 min for a 90-minute slot
    assert value(roundtable)["fits"] is False


def test_a_session_started_on_another_day_is_measured_against_its_planned_length(room):
    """The seed is dated 2021: started today and run to plan, it fits; its steps' planned times move
    with the start. Once it is late against that start, it no longer fits."""
    roundtable, organizer, mod, _ana, questions = room
    plan(roundtable, organizer, questions, seconds=15 * 60)  # 6 x 15 min = 90 min, the slot's length
    ros.run_of_show_start(**ids(roundtable, mod))
    started = show_of(roundtable).started_at
    shown = value(roundtable)
    assert shown["fits"] is True
    assert datetime.datetime.fromisoformat(shown["planned_start"]) == started
    assert datetime.datetime.fromisoformat(shown["planned_end"]) == started + datetime.timedelta(minutes=90)
    assert datetime.datetime.fromisoformat(
        shown["steps"][1]["planned_start"]
    ) == started + datetime.timedelta(minutes=15)
    ros.run_of_show_extend(**ids(roundtable, mod), seconds=5 * 60)
    assert value(roundtable)["fits"] is False


def test_a_session_started_near_its_planned_time_keeps_the_planned_times(room):
    roundtable, organizer, mod, _ana, questions = room
    planned_start = timezone.now().replace(microsecond=0) - datetime.timedelta(minutes=10)
    roundtable.starts_at, roundtable.ends_at = planned_start, planned_start + datetime.timedelta(minutes=90)
    roundtable.save(update_fields=["starts_at", "ends_at"])
    plan(roundtable, organizer, questions, seconds=15 * 60)
    ros.run_of_show_start(**ids(roundtable, mod))
    shown = value(roundtable)
    assert datetime.datetime.fromisoformat(shown["planned_start"]) == planned_start
    assert shown["fits"] is False  # ten minutes late, with 90 minutes of plan in a 90-minute slot


@pytest.mark.parametrize(
    ("step", "code"),
    [
        (
            ros.PlanStep(kind="phase", planned_seconds=60, question_id=None, phase="collecting"),
            "run_of_show_question_invalid",
        ),
        (
            ros.PlanStep(kind="phase", planned_seconds=60, question_id=-1, phase="voting"),
            "run_of_show_question_invalid",
        ),
        ("first", "run_of_show_question_invalid"),  # phase "closed" is not a step
        (ros.PlanStep(kind="break", planned_seconds=0), "run_of_show_duration_invalid"),
        (ros.PlanStep(kind="break", planned_seconds=5 * 3600), "run_of_show_duration_invalid"),
        (ros.PlanStep(kind="break", planned_seconds=60, title={"en": "x" * 81}), "run_of_show_title_invalid"),
        (ros.PlanStep(kind="break", planned_seconds=60, title={"de": "Pause"}), "run_of_show_title_invalid"),
        (ros.PlanStep(kind="lunch", planned_seconds=60), "run_of_show_kind_invalid"),
    ],
)
def test_a_bad_plan_is_refused_with_the_step_named_and_nothing_written(room, step, code):
    roundtable, organizer, _mod, _ana, questions = room
    if step == "first":
        step = ros.PlanStep(kind="phase", planned_seconds=60, question_id=questions[0].pk, phase="closed")
    good = ros.PlanStep(kind="closing", planned_seconds=60)
    before = roundtable.events.count()
    with pytest.raises(ServiceError) as refused:
        ros.run_of_show_plan(roundtable=roundtable, organizer=organizer, steps=[good, step])
    assert refused.value.code == code
    assert refused.value.params.get("number") == 2
    assert "2" in refused.value.message
    assert not RunOfShow.objects.exists() and roundtable.events.count() == before


def test_an_empty_plan_and_another_roundtables_question_are_refused(room):
    roundtable, organizer, _mod, _ana, _questions = room
    other = RoundtableFactory().questions.first()
    with pytest.raises(ServiceError, match="run_of_show_empty"):
        ros.run_of_show_plan(roundtable=roundtable, organizer=organizer, steps=[])
    with pytest.raises(ServiceError, match="run_of_show_question_invalid"):
        ros.run_of_show_plan(
            roundtable=roundtable,
            organizer=organizer,
            steps=[ros.PlanStep(kind="phase", planned_seconds=60, question_id=other.pk, phase="voting")],
        )


def test_only_organizers_plan_and_only_staff_steer(room):
    roundtable, organizer, mod, ana, questions = room
    with pytest.raises(ServiceError, match="forbidden"):
        ros.run_of_show_plan(
            roundtable=roundtable, organizer=mod, steps=[ros.PlanStep(kind="closing", planned_seconds=60)]
        )
    plan(roundtable, organizer, questions)
    for command in (ros.run_of_show_start, ros.run_of_show_pause, ros.run_of_show_skip, ros.run_of_show_back):
        with pytest.raises(ServiceError, match="forbidden"):
            command(**ids(roundtable, ana))
    with pytest.raises(ServiceError, match="not_joined"):
        ros.run_of_show_start(roundtable_id=roundtable.pk, participant_id=None)
    ros.run_of_show_start(**ids(roundtable, organizer))  # organizers steer too
    assert show_of(roundtable).state == "running"


def test_commands_without_a_plan_say_so(room):
    roundtable, _organizer, mod, _ana, _questions = room
    for command in (
        ros.run_of_show_pause,
        ros.run_of_show_resume,
        ros.run_of_show_skip,
        ros.run_of_show_back,
    ):
        with pytest.raises(ServiceError, match="run_of_show_missing"):
            command(**ids(roundtable, mod))
    with pytest.raises(ServiceError, match="run_of_show_missing"):
        ros.run_of_show_extend(**ids(roundtable, mod), seconds=60)


def test_start_without_a_saved_plan_runs_the_suggested_one_saved_in_the_same_event(room):
    """A moderator who never opened the organize page presses Start: the suggested plan (what the
    organize page and the console show) is saved and started in one transaction, one event."""
    roundtable, _organizer, mod, _ana, questions = room
    suggestion = ros.run_of_show_suggestion(roundtable=roundtable)
    assert suggestion["suggested"] is True and suggestion["state"] == "planned"
    seq = roundtable.events.order_by("-seq").first().seq if roundtable.events.exists() else 0

    result = ros.run_of_show_start(**ids(roundtable, mod), command_id="start-1")

    assert kinds_since(roundtable, seq) == ["question.updated", "run_of_show.updated"]
    assert result.seq == seq + 2
    shown = value(roundtable)
    assert shown["state"] == "running" and shown["current"] == 0
    planned = [(step["kind"], step["phase"], step["planned_seconds"]) for step in shown["steps"]]
    assert planned == [(step["kind"], step["phase"], step["planned_seconds"]) for step in suggestion["steps"]]
    assert len(planned) == 13 and planned[0] == ("phase", "collecting", 12 * 60)
    # The closing is titled in each of the roundtable's languages, as on the organize page.
    assert shown["steps"][-1]["title"] == {"en": "Closing", "es": "Cierre", "fr": "Clôture"}
    assert Question.objects.get(pk=questions[0].pk).state == "collecting"
    event = Event.objects.get(roundtable=roundtable, seq=result.seq)
    assert event.staff["audit"] == {
        "action": "run_of_show.start",
        "step": 1,
        "plan": "suggested",
        "steps": 13,
        "minutes": 90,
    }
    # The audit log says which plan ran.
    from django.utils import translation

    from deliberation.audit_view import audit_details_readable

    with translation.override("en"):
        details = audit_details_readable(
            event.staff["audit"], action="run_of_show.start", roundtable=roundtable, language="en"
        )
    assert {"label": "Plan:", "value": "the suggested plan, saved when the session started"} in details
    # Once: a retry is the same start; a second Start is refused; the plan is the one saved.
    assert ros.run_of_show_start(**ids(roundtable, mod), command_id="start-1").seq == result.seq
    with pytest.raises(ServiceError, match="run_of_show_already_started"):
        ros.run_of_show_start(**ids(roundtable, mod), command_id="start-2")
    assert RunOfShow.objects.filter(roundtable=roundtable).count() == 1
    assert RunStep.objects.filter(show__roundtable=roundtable).count() == 13


def test_start_opens_the_first_phase_with_the_steps_end_as_its_countdown(room):
    roundtable, organizer, mod, _ana, questions = room
    plan(roundtable, organizer, questions)
    seq = roundtable.events.order_by("-seq").first().seq
    result = ros.run_of_show_start(**ids(roundtable, mod), command_id="start-1")

    assert kinds_since(roundtable, seq) == ["question.updated", "run_of_show.updated"]
    assert result.seq == seq + 2, "the ack names the run of show's event"
    shown = value(roundtable)
    assert shown["state"] == "running" and shown["current"] == 0
    q1 = Question.objects.get(pk=questions[0].pk)
    assert q1.state == "collecting" and q1.phase_then == "voting"
    assert q1.phase_ends_at.isoformat() == shown["step_ends_at"]
    assert roundtable.current_question_id == q1.pk
    assert shown["steps"][0]["started_at"] is not None
    # A retry of the same command is the same start, not a second one.
    assert ros.run_of_show_start(**ids(roundtable, mod), command_id="start-1").seq == result.seq
    with pytest.raises(ServiceError, match="run_of_show_already_started"):
        ros.run_of_show_start(**ids(roundtable, mod), command_id="start-2")


def test_a_step_ends_once_however_many_sweeps_see_it(room):
    roundtable, organizer, mod, _ana, questions = room
    plan(roundtable, organizer, questions)
    ros.run_of_show_start(**ids(roundtable, mod))
    show_id, due = time_runs_out(roundtable)
    seq = roundtable.events.order_by("-seq").first().seq

    # The question's sweep and the show's sweep both see the same moment: one of them acts.
    assert [question for question, _ in questions_due()] == [questions[0].pk]
    first = question_timer_fire(question_id=questions[0].pk, due=due)
    assert first is not None
    assert ros.run_of_show_fire(show_id=show_id, due=due) is None
    assert question_timer_fire(question_id=questions[0].pk, due=due) is None
    assert kinds_since(roundtable, seq) == ["question.updated", "run_of_show.updated"]

    shown = value(roundtable)
    assert shown["current"] == 1
    assert shown["steps"][0]["ended_at"] == shown["steps"][1]["started_at"] == due.isoformat()
    assert Question.objects.get(pk=questions[0].pk).state == "voting"
    entry = audit_log(roundtable=roundtable, limit=1)[0]
    assert entry["action"] == "run_of_show.advance" and entry["actor"] is None


def test_a_step_not_due_yet_is_not_ended(room):
    roundtable, organizer, mod, _ana, questions = room
    plan(roundtable, organizer, questions)
    ros.run_of_show_start(**ids(roundtable, mod))
    show = show_of(roundtable)
    assert ros.run_of_show_fire(show_id=show.pk, due=show.step_ends_at) is None
    assert ros.run_of_shows_due() == []
    assert value(roundtable)["current"] == 0


def test_a_step_found_long_after_its_end_hands_no_lateness_on(room):
    """Every process was down for ten minutes: the next step starts when found, with all its time."""
    roundtable, organizer, mod, _ana, questions = room
    plan(roundtable, organizer, questions)
    ros.run_of_show_start(**ids(roundtable, mod))
    show = show_of(roundtable)
    late = timezone.now() - datetime.timedelta(minutes=10)
    RunOfShow.objects.filter(pk=show.pk).update(step_ends_at=late)
    Question.objects.filter(pk=questions[0].pk).update(phase_ends_at=late)
    ros.run_of_show_fire(show_id=show.pk, due=late)
    show.refresh_from_db()
    assert show.step_ends_at - timezone.now() > datetime.timedelta(seconds=55)


def test_extend_moves_the_step_and_its_questions_countdown(room):
    roundtable, organizer, mod, _ana, questions = room
    plan(roundtable, organizer, questions)
    ros.run_of_show_start(**ids(roundtable, mod))
    before = show_of(roundtable).step_ends_at
    for seconds in (10, 3601):
        with pytest.raises(ServiceError, match="run_of_show_extend_invalid"):
            ros.run_of_show_extend(**ids(roundtable, mod), seconds=seconds)
    seq = roundtable.events.order_by("-seq").first().seq
    ros.run_of_show_extend(**ids(roundtable, mod), seconds=120)

    assert kinds_since(roundtable, seq) == ["question.updated", "run_of_show.updated"]
    show = show_of(roundtable)
    assert show.step_ends_at == before + datetime.timedelta(seconds=120)
    assert Question.objects.get(pk=questions[0].pk).phase_ends_at == show.step_ends_at
    shown = value(roundtable)
    assert shown["steps"][0]["extended_seconds"] == 120
    assert audit_log(roundtable=roundtable, limit=1)[0]["details"]["time_added"] == 120


def test_pause_stops_the_clock_and_resume_gives_back_the_time_left(room):
    roundtable, organizer, mod, _ana, questions = room
    plan(roundtable, organizer, questions)
    ros.run_of_show_start(**ids(roundtable, mod))
    with pytest.raises(ServiceError, match="run_of_show_not_paused"):
        ros.run_of_show_resume(**ids(roundtable, mod))
    ros.run_of_show_pause(**ids(roundtable, mod))

    shown = value(roundtable)
    assert shown["state"] == "paused" and shown["step_ends_at"] is None
    assert 58 <= shown["paused_remaining"] <= 60
    q1 = Question.objects.get(pk=questions[0].pk)
    assert q1.state == "collecting" and q1.phase_ends_at is None, "no countdown runs while paused"
    assert ros.run_of_shows_due(now=timezone.now() + datetime.timedelta(hours=1)) == []
    with pytest.raises(ServiceError, match="run_of_show_paused"):
        ros.run_of_show_pause(**ids(roundtable, mod))
    ros.run_of_show_extend(**ids(roundtable, mod), seconds=60)
    assert value(roundtable)["paused_remaining"] == shown["paused_remaining"] + 60

    ros.run_of_show_resume(**ids(roundtable, mod))
    show = show_of(roundtable)
    left = (show.step_ends_at - timezone.now()).total_seconds()
    assert shown["paused_remaining"] + 55 <= left <= shown["paused_remaining"] + 60
    assert Question.objects.get(pk=questions[0].pk).phase_ends_at == show.step_ends_at


def test_skip_ends_the_step_as_skipped_and_the_last_one_finishes_the_show(room):
    roundtable, organizer, mod, _ana, questions = room
    plan(roundtable, organizer, questions)
    ros.run_of_show_start(**ids(roundtable, mod))
    for _ in range(3):
        ros.run_of_show_skip(**ids(roundtable, mod))
    shown = value(roundtable)
    assert shown["current"] == 3 and shown["steps"][3]["kind"] == "break"
    assert [step["skipped"] for step in shown["steps"][:3]] == [True, True, True]
    q1 = Question.objects.get(pk=questions[0].pk)
    assert q1.state == "locked" and q1.phase_ends_at is None, "the break leaves Q1 locked, no countdown"
    ros.run_of_show_skip(**ids(roundtable, mod))
    assert Question.objects.get(pk=questions[1].pk).state == "collecting"
    ros.run_of_show_skip(**ids(roundtable, mod))
    ros.run_of_show_skip(**ids(roundtable, mod))
    shown = value(roundtable)
    assert shown["state"] == "finished" and shown["current"] is None
    assert shown["projected_end"] == shown["steps"][-1]["ended_at"]
    for command in (ros.run_of_show_skip, ros.run_of_show_pause, ros.run_of_show_back):
        with pytest.raises(ServiceError, match="run_of_show_finished"):
            command(**ids(roundtable, mod))


def test_back_restarts_the_previous_step_with_its_planned_time(room):
    roundtable, organizer, mod, _ana, questions = room
    plan(roundtable, organizer, questions)
    ros.run_of_show_start(**ids(roundtable, mod))
    with pytest.raises(ServiceError, match="run_of_show_no_previous"):
        ros.run_of_show_back(**ids(roundtable, mod))
    ros.run_of_show_skip(**ids(roundtable, mod))
    assert Question.objects.get(pk=questions[0].pk).state == "voting"
    ros.run_of_show_back(**ids(roundtable, mod))

    shown = value(roundtable)
    assert shown["current"] == 0 and shown["state"] == "running"
    first, second = shown["steps"][:2]
    assert first["ended_at"] is None and first["skipped"] is False
    assert second["started_at"] is None, "the step left is undone: it runs again later"
    q1 = Question.objects.get(pk=questions[0].pk)
    assert q1.state == "collecting" and q1.phase_then == "voting"
    left = (show_of(roundtable).step_ends_at - timezone.now()).total_seconds()
    assert 55 <= left <= 60


def test_back_keeps_the_runs_it_sets_aside_for_the_record(room):
    roundtable, organizer, mod, _ana, questions = room
    plan(roundtable, organizer, questions)
    ros.run_of_show_start(**ids(roundtable, mod))
    ros.run_of_show_skip(**ids(roundtable, mod))
    before = value(roundtable)["steps"]
    ros.run_of_show_back(**ids(roundtable, mod))

    first, second = value(roundtable)["steps"][:2]
    # The voting ran (from when Skip started it until Back): that run is kept, marked undone.
    assert [run["reason"] for run in second["earlier_runs"]] == ["undone"]
    assert second["earlier_runs"][0]["started_at"] == before[1]["started_at"]
    assert second["earlier_runs"][0]["ended_at"] >= second["earlier_runs"][0]["started_at"]
    # The collecting, skipped, runs again from its start: its first run is kept, as it ended.
    assert first["earlier_runs"] == [
        {
            "started_at": before[0]["started_at"],
            "ended_at": before[0]["ended_at"],
            "skipped": True,
            "extended_seconds": 0,
            "reason": "repeated",
        }
    ]
    assert first["started_at"] != before[0]["started_at"] and first["skipped"] is False
    # A new plan starts a new record.
    for _ in range(6):
        ros.run_of_show_skip(**ids(roundtable, mod))
    plan(roundtable, organizer, questions)
    assert all(step["earlier_runs"] == [] for step in value(roundtable)["steps"])


def test_while_the_show_keeps_time_a_moderator_moves_phases_but_sets_no_countdown(room):
    roundtable, organizer, mod, _ana, questions = room
    plan(roundtable, organizer, questions)
    ros.run_of_show_start(**ids(roundtable, mod))
    with pytest.raises(ServiceError, match="run_of_show_owns_clock"):
        question_phase_set(
            **ids(roundtable, mod), question_id=questions[2].pk, state="collecting", duration_seconds=60
        )
    question_phase_set(**ids(roundtable, mod), question_id=questions[0].pk, state="voting")
    assert Question.objects.get(pk=questions[0].pk).phase_ends_at is None
    # The step still ends on time, and the plan takes the question on from there.
    show_id, due = time_runs_out(roundtable)
    assert ros.run_of_show_fire(show_id=show_id, due=due) is not None
    q1 = Question.objects.get(pk=questions[0].pk)
    assert q1.state == "voting" and q1.phase_ends_at == show_of(roundtable).step_ends_at


def test_the_plan_cannot_change_while_the_session_runs_but_can_after_it(room):
    roundtable, organizer, mod, _ana, questions = room
    plan(roundtable, organizer, questions)
    ros.run_of_show_start(**ids(roundtable, mod))
    with pytest.raises(ServiceError, match="run_of_show_started"):
        plan(roundtable, organizer, questions)
    for _ in range(6):
        ros.run_of_show_skip(**ids(roundtable, mod))
    plan(roundtable, organizer, questions, seconds=120)
    shown = value(roundtable)
    assert shown["state"] == "planned" and shown["started_at"] is None
    assert {step["planned_seconds"] for step in shown["steps"]} == {120}
    assert RunStep.objects.filter(started_at__isnull=False).count() == 0


def test_every_command_is_in_the_audit_log_with_its_label(room):
    from django.utils import translation

    from deliberation.audit_view import action_label

    roundtable, organizer, mod, _ana, questions = room
    plan(roundtable, organizer, questions)
    ros.run_of_show_start(**ids(roundtable, mod))
    ros.run_of_show_extend(**ids(roundtable, mod), seconds=60)
    ros.run_of_show_pause(**ids(roundtable, mod))
    ros.run_of_show_resume(**ids(roundtable, mod))
    ros.run_of_show_skip(**ids(roundtable, mod))
    ros.run_of_show_back(**ids(roundtable, mod))
    entries = [
        entry for entry in audit_log(roundtable=roundtable) if entry["action"].startswith("run_of_show")
    ]
    assert [entry["action"] for entry in reversed(entries)] == [
        "run_of_show.plan",
        "run_of_show.start",
        "run_of_show.extend",
        "run_of_show.pause",
        "run_of_show.resume",
        "run_of_show.skip",
        "run_of_show.back",
    ]
    assert entries[0]["actor"] == "Mo" and entries[-1]["actor"] == "Olga"
    with translation.override("es"):
        assert action_label("run_of_show.skip") == "Paso saltado"
    with translation.override("fr"):
        assert action_label("run_of_show.start") == "Séance lancée"
