"""Anonymous replay floods against one Daphne process (issue 16, item 8): how long a participant's vote
takes to be acknowledged while cookie-less sockets send `resume seq=0` as fast as they are let.

    python -m bench.replayflood [--attackers 50] [--seconds 6] [--events 450] [--database sqlite|postgres]

Seeds a roundtable with `--events` events (proposals of 400 characters and changing votes), measures the
vote round trip (command → ack) of one participant voting every 0.2 s, first on a quiet server, then while
the attackers flood; prints one JSON line: latencies, bytes the attackers received, replays refused."""

import argparse
import asyncio
import contextlib
import json
import statistics
import time

import websockets

from tests.support.servers import daphne_servers, http_join, manage, postgres_redis_database, sqlite_database

SEED_EVENTS = """
from deliberation.models import Participant, Question, Roundtable
from deliberation.services.proposals import proposal_submit
from deliberation.services.votes import vote_cast
roundtable = Roundtable.objects.get(code="LED111")
question = Question.objects.filter(roundtable=roundtable).order_by("order").first()
Question.objects.filter(pk=question.pk).update(state="collecting")
people = list(Participant.objects.filter(roundtable=roundtable, role="participant"))
proposals = []
for n in range(20):
    author = people[n % len(people)]
    text = f"Propuesta {n}: " + "una alianza local para el agua y la energía de los barrios " * 7
    proposals.append(proposal_submit(roundtable_id=roundtable.pk, participant_id=author.pk,
                                     question_id=question.pk, text=text[:400]).result["proposal"])
choices = ["agree", "disagree"]
for n in range({votes}):
    voter = people[n % len(people)]
    vote_cast(roundtable_id=roundtable.pk, participant_id=voter.pk, proposal_id=proposals[n % 20],
              choice=choices[(n // len(people)) % 2])
print(Roundtable.objects.get(pk=roundtable.pk).last_seq)
"""


async def _open(port: int, cookie: str | None = None):
    return await websockets.connect(
        f"ws://127.0.0.1:{port}/ws/r/LED111/",
        additional_headers={"Origin": f"http://127.0.0.1:{port}", **({"Cookie": cookie} if cookie else {})},
        max_size=None,
    )


async def _first(socket, kind: str) -> dict:
    while True:
        frame = json.loads(await socket.recv())
        if frame["type"] == kind:
            return frame


async def _voter(port: int, cookie: str, seconds: float) -> list[float]:
    socket = await _open(port, cookie)
    snapshot = await _first(socket, "snapshot")
    proposal = snapshot["proposals"][0]["id"]
    latencies = []
    pending: dict[str, float] = {}
    answered = asyncio.Event()
    stop = time.monotonic() + seconds

    async def read():
        async for text in socket:
            frame = json.loads(text)
            if frame["type"] in {"ack", "error"} and frame.get("id") in pending:
                latencies.append(time.monotonic() - pending.pop(frame["id"]))
                if not pending and time.monotonic() >= stop:
                    answered.set()

    reader = asyncio.create_task(read())
    n = 0
    while time.monotonic() < stop:
        n += 1
        command_id = f"v{time.monotonic_ns()}"
        pending[command_id] = time.monotonic()
        choice = "agree" if n % 2 else "disagree"
        await socket.send(
            json.dumps({"type": "vote.cast", "id": command_id, "proposal": proposal, "choice": choice})
        )
        await asyncio.sleep(0.2)
    if pending:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(answered.wait(), 60)
    # Never answered: counted as what was waited.
    latencies.extend(time.monotonic() - sent for sent in pending.values())
    reader.cancel()
    await socket.close()
    return latencies


async def _attacker(port: int, seconds: float, totals: dict, ready: asyncio.Barrier) -> None:
    socket = await _open(port)
    await _first(socket, "snapshot")

    async def read():
        async for text in socket:
            totals["bytes"] += len(text)
            if '"code":"rate_limited"' in text:
                totals["refused"] += 1
            elif text.startswith('{"type":"ack"'):
                totals["replays"] += 1

    # Every attacker is connected (and the connections' snapshots served) before the flood starts.
    await ready.wait()
    reader = asyncio.create_task(read())
    stop = time.monotonic() + seconds
    while time.monotonic() < stop:
        try:
            await socket.send(json.dumps({"type": "resume", "id": "r", "seq": 0}))
        except websockets.ConnectionClosed:
            break
        # As fast as the per-connection frame bucket lets through (5/s sustained, bursts of 30).
        await asyncio.sleep(0.05)
    await asyncio.sleep(1)
    reader.cancel()
    await socket.close()


def _summary(latencies: list[float]) -> dict:
    ordered = sorted(latencies)
    return {
        "votes": len(ordered),
        "p50_ms": round(statistics.median(ordered) * 1000, 1),
        "p95_ms": round(ordered[int(0.95 * (len(ordered) - 1))] * 1000, 1),
        "max_ms": round(ordered[-1] * 1000, 1),
    }


async def _run(port: int, cookie: str, attackers: int, seconds: float) -> dict:
    quiet = await _voter(port, cookie, 3)
    totals = {"bytes": 0, "refused": 0, "replays": 0}
    ready = asyncio.Barrier(attackers + 1)
    flood = [asyncio.create_task(_attacker(port, seconds, totals, ready)) for _ in range(attackers)]
    await ready.wait()
    await asyncio.sleep(0.5)
    under_flood = await _voter(port, cookie, seconds)
    await asyncio.gather(*flood)
    return {
        "quiet": _summary(quiet),
        "flood": _summary(under_flood),
        "attacker_megabytes": round(totals["bytes"] / 1e6, 1),
        "replays_served": totals["replays"],
        "replays_refused": totals["refused"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--attackers", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=6)
    parser.add_argument("--events", type=int, default=450)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    options = parser.parse_args()
    database = postgres_redis_database if options.database == "postgres" else sqlite_database
    with database() as env:
        env = {**env, "ROUNDTABLE_MAX_CONNECTIONS_PER_IP": "1000", "ROUNDTABLE_VOTES_PER_MINUTE": "100000"}
        with daphne_servers(env, count=1) as (server,):
            cookies = [
                http_join(server.base_url, "LED111", name=f"P{n}", actor_type="sme", language="es")
                for n in range(4)
            ]
            seeded = manage(env, "shell", "-c", SEED_EVENTS.replace("{votes}", str(options.events)))
            last_seq = int(seeded.split()[-1])
            result = asyncio.run(_run(server.port, cookies[0], options.attackers, options.seconds))
    print(
        json.dumps(
            {
                "bench": "replayflood",
                "database": options.database,
                "events": last_seq,
                "attackers": options.attackers,
                "seconds": options.seconds,
                **result,
            }
        )
    )


if __name__ == "__main__":
    main()
