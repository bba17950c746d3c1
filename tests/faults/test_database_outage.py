"""PostgreSQL refuses connections for a few seconds: commands get a clear, retryable error; nothing is
half-written; the same commands sent again afterwards take effect once. Daphne reaches PostgreSQL
through a proxy that drops its connections and refuses new ones."""

import asyncio
import json
import time
import urllib.parse

import psycopg
import websockets

from tests.support.proxy import tcp_proxy
from tests.support.servers import daphne_servers, http_join, postgres_redis_database


async def command(sock, frame: dict) -> dict:
    await sock.send(json.dumps(frame))
    while True:
        reply = json.loads(await asyncio.wait_for(sock.recv(), 15))
        if reply["type"] in {"ack", "error"} and reply.get("id") == frame["id"]:
            return reply


def test_commands_during_a_database_outage_get_a_retryable_error_and_nothing_half_written():
    with postgres_redis_database() as env:
        direct = urllib.parse.urlsplit(env["DATABASE_URL"])
        with tcp_proxy(direct.port or 5432) as proxy:
            proxied = urllib.parse.urlunsplit(
                direct._replace(netloc=f"{direct.username}@127.0.0.1:{proxy.port}")
            )
            daphne_env = {**env, "DATABASE_URL": proxied, "DATABASE_POOL_TIMEOUT": "2"}
            with daphne_servers(daphne_env) as (server,):
                cookie = http_join(server.base_url, "LED111", name="Ana", actor_type="sme", language="es")

                async def scenario():
                    sock = await websockets.connect(
                        f"ws://127.0.0.1:{server.port}/ws/r/LED111/",
                        additional_headers={"Origin": server.base_url, "Cookie": cookie},
                    )
                    snapshot = json.loads(await sock.recv())
                    question = snapshot["questions"][0]["id"]
                    first = await command(
                        sock, {"type": "proposal.submit", "id": "p1", "question": question, "text": "Antes"}
                    )
                    assert first["type"] == "ack"

                    proxy.refuse()
                    during = []
                    proposals = [
                        {
                            "type": "proposal.submit",
                            "id": f"p{n + 2}",
                            "question": question,
                            "text": f"Durante {n}",
                        }
                        for n in range(3)
                    ]
                    vote_frame = {
                        "type": "vote.cast",
                        "id": "v1",
                        "proposal": first["result"]["proposal"],
                        "choice": "agree",
                    }
                    for frame in proposals:
                        started = time.monotonic()
                        during.append((await command(sock, frame), time.monotonic() - started))
                    vote = await command(sock, vote_frame)
                    proxy.accept()
                    back = time.monotonic()

                    for reply, seconds in during:
                        assert reply["code"] == "unavailable" and reply["retryable"] is True
                        assert (
                            reply["message"] == "El servidor está ocupado. Inténtalo de nuevo en un momento."
                        )
                        assert seconds < 5, "an error within about the pool's timeout (2 s), not a hang"
                    assert vote["code"] == "unavailable"

                    # Back: the same commands, same ids, each take effect once.
                    await asyncio.sleep(0.5)
                    again = [await command(sock, frame) for frame in proposals]
                    recovered_in = time.monotonic() - back
                    twice = await command(sock, proposals[0])
                    voted = await command(sock, vote_frame)
                    await sock.close()
                    return again, twice, voted, recovered_in

                again, twice, voted, recovered_in = asyncio.run(scenario())

        assert [reply["type"] for reply in again] == ["ack"] * 3, again
        assert recovered_in < 8, f"the database was usable again {recovered_in:.1f} s after it came back"
        assert twice["seq"] == again[0]["seq"], "a retried id takes effect once"
        assert voted["type"] == "ack"
        with psycopg.connect(env["DATABASE_URL"]) as db:
            seqs = [row[0] for row in db.execute("SELECT seq FROM deliberation_event ORDER BY seq")]
            last_seq = db.execute("SELECT last_seq FROM deliberation_roundtable").fetchone()[0]
            ids = db.execute(
                "SELECT command_id, count(*) FROM deliberation_event WHERE command_id IS NOT NULL GROUP BY 1"
            ).fetchall()
            proposals = db.execute("SELECT text FROM deliberation_proposal ORDER BY id").fetchall()
            votes = db.execute("SELECT count(*) FROM deliberation_vote").fetchone()[0]
        assert seqs == list(range(1, last_seq + 1)), "gapless: no event lost or half-written"
        assert dict(ids) == {"p1": 1, "p2": 1, "p3": 1, "p4": 1, "v1": 1}
        assert [text for (text,) in proposals] == ["Antes", "Durante 0", "Durante 1", "Durante 2"]
        assert votes == 1
