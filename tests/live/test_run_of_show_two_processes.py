"""The run of show drives a whole (shortened) session on two Daphne processes sharing PostgreSQL and Redis,
both sweeping every 50 ms: four questions through their phases, a break and the closing, with a
moderator's extension and skips, and every process restarted in the middle. Each step starts exactly
once: the event log says so."""

import asyncio
import datetime
import tempfile
from pathlib import Path

import psycopg
import pytest

from tests.support.room_live import command, events_until, open_socket
from tests.support.servers import (
    DaphneServer,
    http_join,
    manage,
    organizer_login,
    postgres_redis_database,
)

# Four Daphne start-ups and two manage.py runs: more than the default 120 s on a busy machine.
pytestmark = [pytest.mark.live, pytest.mark.timeout(300)]

# Steps of seconds, planned through the service as the organizer page would (the form counts minutes).
PLAN = """
from deliberation.models import Participant, Roundtable
from deliberation.services.run_of_show import PlanStep, run_of_show_plan

roundtable = Roundtable.objects.get(code="LED111")
organizer = Participant.objects.get(roundtable=roundtable, role="organizer")
steps = []
for number, question in enumerate(roundtable.questions.order_by("order")):
    if number == 2:
        steps.append(PlanStep(kind="break", planned_seconds=60, title={"en": "Coffee"}))
    for phase, seconds in (("collecting", 2), ("voting", 2), ("locked", 1)):
        steps.append(PlanStep(kind="phase", planned_seconds=seconds, question_id=question.pk, phase=phase))
steps.append(PlanStep(kind="closing", planned_seconds=2, title={"en": "Closing"}))
run_of_show_plan(roundtable=roundtable, organizer=organizer, steps=steps)
"""
Q2_COLLECTING, BREAK, STEPS = 3, 6, 14


def show_in(events: list[dict]) -> dict | None:
    shows = [event["data"] for event in events if event["kind"] == "run_of_show.updated"]
    return shows[-1] if shows else None


def at_step(number: int):
    return lambda seen: (show := show_in(seen)) is not None and show["current"] == number


def finished(seen: list[dict]) -> bool:
    return (show := show_in(seen)) is not None and show["state"] == "finished"


def test_the_run_of_show_drives_a_session_once_across_two_processes_and_a_restart():
    with postgres_redis_database() as env, tempfile.TemporaryDirectory(prefix="roundtable-logs-") as logs:
        env = {**env, "ROUNDTABLE_TIMER_TICK_SECONDS": "0.05"}
        servers = [DaphneServer(env, Path(logs)) for _ in range(2)]
        try:
            organizer = organizer_login(env, servers[0].base_url)
            ben = http_join(servers[1].base_url, "LED111", name="Ben", actor_type="sme", language="en")
            manage(env, "shell", "-c", PLAN)

            async def first_half():
                mo, snapshot = await open_socket(servers[0], organizer)
                watcher, _ = await open_socket(servers[1], ben)
                assert snapshot["run_of_show"]["state"] == "planned"
                assert len(snapshot["run_of_show"]["steps"]) == STEPS
                await command(mo, {"type": "run_of_show.start", "id": "start"})
                seen = await events_until(watcher, at_step(Q2_COLLECTING))
                planned_end = datetime.datetime.fromisoformat(show_in(seen)["step_ends_at"])

                extended = await command(mo, {"type": "run_of_show.extend", "id": "more", "seconds": 30})
                seen = await events_until(
                    watcher, lambda s: show_in(s)["steps"][Q2_COLLECTING]["extended_seconds"], earlier=seen
                )
                new_end = datetime.datetime.fromisoformat(show_in(seen)["step_ends_at"])
                assert new_end - planned_end == datetime.timedelta(seconds=30)
                # Past the step's planned end, it still runs: the extension holds in both processes.
                seen += await events_until(watcher, lambda s: False, 2.5, required=False)
                assert show_in(seen)["current"] == Q2_COLLECTING

                await command(mo, {"type": "run_of_show.skip", "id": "skip-q2"})
                seen = await events_until(watcher, at_step(BREAK), earlier=seen)
                await mo.close()
                await watcher.close()
                return extended, seen

            extended, seen_before = asyncio.run(first_half())
            assert extended["ack"]["seq"] is not None

            # Every process goes away during the break, and new ones take over the plan from the database.
            for server in servers:
                server.stop()
            servers = [DaphneServer(env, Path(logs)) for _ in range(2)]

            async def second_half():
                mo, snapshot = await open_socket(servers[1], organizer)
                watcher, _ = await open_socket(servers[0], ben)
                assert snapshot["run_of_show"]["state"] == "running"
                assert snapshot["run_of_show"]["current"] == BREAK, "the break outlived the restart"
                await command(mo, {"type": "run_of_show.skip", "id": "skip-break"})
                seen_by = await asyncio.gather(
                    events_until(watcher, finished, 40), events_until(mo, finished, 40)
                )
                await mo.close()
                await watcher.close()
                return seen_by

            seen_after = asyncio.run(second_half())
        finally:
            for server in servers:
                server.stop()

        for seen in seen_after:
            seqs = [event["seq"] for event in seen]
            assert seqs == sorted(set(seqs)), "every seq once, in order, on both processes"
            phases = [
                (event["data"]["question"]["order"], event["data"]["question"]["state"])
                for event in seen
                if event["kind"] == "question.updated"
            ]
            assert phases[-3:] == [(4, "collecting"), (4, "voting"), (4, "locked")]

        with psycopg.connect(env["DATABASE_URL"]) as connection:
            starts = connection.execute(
                "SELECT data->>'current', count(*) FROM deliberation_event "
                "WHERE kind = 'run_of_show.updated' AND staff->'audit'->>'action' "
                "IN ('run_of_show.start', 'run_of_show.advance', 'run_of_show.skip') GROUP BY 1"
            ).fetchall()
            moves = connection.execute(
                "SELECT data->'question'->>'order', staff->'audit'->>'to', count(*) FROM deliberation_event "
                "WHERE kind = 'question.updated' "
                "AND staff->'audit'->>'from' <> staff->'audit'->>'to' GROUP BY 1, 2"
            ).fetchall()
            steps = connection.execute(
                "SELECT position, started_at IS NOT NULL, ended_at IS NOT NULL, skipped, extended_seconds "
                "FROM deliberation_runstep ORDER BY position"
            ).fetchall()
            advances = connection.execute(
                "SELECT staff->'audit'->>'step', count(*) FROM deliberation_event "
                "WHERE staff->'audit'->>'action' = 'run_of_show.advance' GROUP BY 1"
            ).fetchall()

        # Each step started once (and the show finished once): the value after it names it current.
        assert sorted(starts, key=lambda row: int(row[0]) if row[0] else 99) == [
            *[(str(number), 1) for number in range(STEPS)],
            (None, 1),
        ]
        # Each question went through each phase once, moved by the show (the seed opens Q1 already: the
        # show only gave it its countdown).
        assert sorted(moves) == sorted(
            (str(order), phase, 1)
            for order in range(1, 5)
            for phase in ("collecting", "voting", "locked")
            if (order, phase) != (1, "collecting")
        ), moves
        assert all(count == 1 for _, count in advances), "no step ended twice"
        assert len(advances) == STEPS - 2, "every step but the two skipped ended on time"
        assert all(started and ended for _, started, ended, _, _ in steps)
        assert [position for position, *_, skipped, _ in steps if skipped] == [Q2_COLLECTING, BREAK]
        assert steps[Q2_COLLECTING][4] == 30
        assert seen_before, "the watcher saw the first half live"
