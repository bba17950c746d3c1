"""A countdown is ended by the server, once: two Daphne processes share Redis and PostgreSQL, both look
for ended countdowns every 50 ms, and each countdown still ends in exactly one event, seen by clients
of both processes."""

import asyncio
import json

import psycopg

from tests.support.room_live import events_for, open_socket
from tests.support.servers import daphne_servers, http_join, organizer_login, postgres_redis_database


def test_a_countdown_ends_its_phase_exactly_once_with_two_processes():
    with postgres_redis_database() as env:
        env = {**env, "ROUNDTABLE_TIMER_TICK_SECONDS": "0.05"}
        with daphne_servers(env, count=2) as (first, second):
            organizer = organizer_login(env, first.base_url)
            ben = http_join(second.base_url, "LED111", name="Ben", actor_type="sme", language="en")

            async def scenario():
                mo, snapshot = await open_socket(first, organizer)
                watcher, _ = await open_socket(second, ben)
                assert snapshot["me"]["role"] == "organizer", "the signed-in account's seat"
                questions = [q["id"] for q in snapshot["questions"]]
                for number, question in enumerate(questions):
                    await mo.send(
                        json.dumps(
                            {
                                "type": "question.phase",
                                "id": f"t{number}",
                                "question": question,
                                "state": "collecting",
                                "duration_seconds": 2,
                                "then": "locked",
                            }
                        )
                    )
                seen_by_watcher, seen_by_mo = await asyncio.gather(events_for(watcher, 5), events_for(mo, 5))
                await mo.close()
                await watcher.close()
                return questions, seen_by_watcher, seen_by_mo

            questions, seen_by_watcher, seen_by_mo = asyncio.run(scenario())

        for seen in (seen_by_watcher, seen_by_mo):
            ended = [e for e in seen if e["kind"] == "question.updated" and e["data"]["action"] == "timer"]
            assert sorted(e["data"]["question"]["id"] for e in ended) == sorted(questions)
            assert all(e["data"]["question"]["state"] == "locked" for e in ended)
            seqs = [e["seq"] for e in seen]
            assert seqs == sorted(set(seqs)), "every seq once, in order"
        with psycopg.connect(env["DATABASE_URL"]) as connection:
            rows = connection.execute(
                "SELECT data->'question'->>'id', count(*) FROM deliberation_event "
                "WHERE data->>'action' = 'timer' GROUP BY 1"
            ).fetchall()
            states = connection.execute("SELECT DISTINCT state FROM deliberation_question").fetchall()
        assert sorted(count for _, count in rows) == [1] * len(questions)
        assert states == [("locked",)]
