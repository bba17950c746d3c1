"""The run of show's commands through the real protocol: a moderator steers, everyone sees the same
run_of_show.updated (and the question moving), a participant is refused, bad input gets a translated
error and the socket stays open."""

import pytest
from channels.db import database_sync_to_async

from deliberation.models import Role
from deliberation.services.run_of_show import PlanStep, run_of_show_plan
from tests.factories import ParticipantFactory, RoundtableFactory
from tests.support.ws import connect

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]


@database_sync_to_async
def planned_room():
    roundtable = RoundtableFactory(questions=["closed"] * 4)
    organizer = ParticipantFactory(roundtable=roundtable, display_name="Olga", role=Role.ORGANIZER)
    mod = ParticipantFactory(roundtable=roundtable, display_name="Mo", role=Role.MODERATOR)
    ana = ParticipantFactory(roundtable=roundtable, display_name="Ana", language="es")
    first = roundtable.questions.get(order=1).pk
    run_of_show_plan(
        roundtable=roundtable,
        organizer=organizer,
        steps=[
            PlanStep(kind="phase", planned_seconds=600, question_id=first, phase="collecting"),
            PlanStep(kind="phase", planned_seconds=300, question_id=first, phase="voting"),
            PlanStep(kind="closing", planned_seconds=300, title={"en": "Closing"}),
        ],
    )
    return roundtable, mod, ana


async def test_a_moderator_steers_the_run_of_show_and_everyone_sees_it():
    roundtable, mod, ana = await planned_room()
    moderator, _ = await connect(roundtable, mod)
    participant, _ = await connect(roundtable, ana)
    watcher, watched = await connect(roundtable)
    assert watched["run_of_show"]["state"] == "planned"
    assert [step["kind"] for step in watched["run_of_show"]["steps"]] == ["phase", "phase", "closing"]

    refused = await participant.command("run_of_show.start")
    assert refused["type"] == "error" and refused["code"] == "forbidden"
    assert refused["message"] == "No tienes permiso para hacer esto.", "in the participant's language"

    started = await moderator.command("run_of_show.start")
    assert started["type"] == "ack"
    for client in (moderator, participant, watcher):
        question, show = await client.events(2)
        assert (
            question["kind"] == "question.updated" and question["data"]["question"]["state"] == "collecting"
        )
        assert show["kind"] == "run_of_show.updated" and show["seq"] == started["seq"]
        assert show["data"]["state"] == "running" and show["data"]["current"] == 0
        assert question["data"]["question"]["phase_ends_at"] == show["data"]["step_ends_at"]

    too_little = await moderator.command("run_of_show.extend", seconds=5)
    assert too_little["type"] == "error" and too_little["code"] == "run_of_show_extend_invalid"
    assert "30" in too_little["message"] and "60" in too_little["message"]
    not_a_number = await moderator.command("run_of_show.extend", seconds="lots")
    assert not_a_number["code"] == "invalid" and not_a_number["fields"] == ["seconds"]
    extra = await moderator.command("run_of_show.skip", reason="done")
    assert extra["code"] == "invalid"

    skipped = await moderator.command("run_of_show.skip")
    assert skipped["type"] == "ack", "the socket stayed open through the errors"
    *_, show = await watcher.events(2)
    assert show["data"]["current"] == 1 and show["data"]["steps"][0]["skipped"] is True

    back = await moderator.command("run_of_show.back", id="back-1")
    again = await moderator.command("run_of_show.back", id="back-1")
    assert back["type"] == again["type"] == "ack" and again["seq"] == back["seq"], "a retry is the same back"
    for client in (moderator, participant, watcher):
        await client.close()
