"""Faults of whole processes, on PostgreSQL and Redis with two Daphne processes:
- one Daphne is killed with SIGKILL during a vote burst: its clients reconnect to the other, every
  acknowledged vote is in the database and in every client's state, none counted twice;
- Redis (a private one, started for the test) is killed and started again mid-session: commands go
  on, hubs read back what the channel layer never delivered, every client ends with the truth."""

import asyncio
import contextlib
import signal
import subprocess
import time

import psycopg

from tests.faults.helpers import assert_matches_database, join_people
from tests.support.resilient import ResilientClient
from tests.support.servers import daphne_servers, free_port, postgres_redis_database, wait_for_port


def ws(server) -> tuple[str, str]:
    return f"ws://127.0.0.1:{server.port}/ws/r/LED111/", server.base_url


async def start_all(clients):
    await asyncio.gather(*(client.start() for client in clients))


async def propose(client, count: int) -> list[int]:
    question = next(iter(client.state["questions"]))
    for n in range(count):
        await client.command("proposal.submit", question=question, text=f"Proposal {n}")
    await client.settled()
    ids = sorted(ack["result"]["proposal"] for ack in client.acks.values())
    return ids[-count:]


def database_truth(url: str) -> dict:
    with psycopg.connect(url) as db:
        return {
            "last_seq": db.execute("SELECT last_seq FROM deliberation_roundtable").fetchone()[0],
            "events": db.execute("SELECT count(*) FROM deliberation_event").fetchone()[0],
            "votes": dict(
                ((participant, proposal), choice)
                for participant, proposal, choice in db.execute(
                    "SELECT participant_id, proposal_id, choice FROM deliberation_vote"
                )
            ),
        }


def test_a_daphne_killed_during_a_vote_burst_loses_no_acknowledged_vote():
    with postgres_redis_database() as env, daphne_servers(env, count=2) as (doomed, survivor):
        cookies = join_people(survivor.base_url, 24, "burst")

        async def scenario():
            clients = [
                ResilientClient(
                    f"c{n}", [ws(doomed), ws(survivor)] if n % 2 else [ws(survivor), ws(doomed)], cookie
                )
                for n, cookie in enumerate(cookies)
            ]
            await start_all(clients)
            proposals = await propose(clients[1], 3)
            choices = ["agree", "disagree", "pass"]

            async def vote_all(client, index):
                for round_, proposal in enumerate(proposals):
                    await client.command("vote.cast", proposal=proposal, choice=choices[(index + round_) % 3])
                    await asyncio.sleep(0.02)

            burst = [asyncio.create_task(vote_all(client, n)) for n, client in enumerate(clients)]
            await asyncio.sleep(0.03)
            doomed.process.send_signal(signal.SIGKILL)
            await asyncio.gather(*burst)
            await asyncio.gather(*(client.settled(timeout=60) for client in clients))
            # Checked while the clients still run in this event loop: an event written after the burst
            # (an analysis run's themes, say) must reach each of them too.
            for client in clients:
                assert not client.errors, client.errors
            # All at once, under one deadline: one by one, 24 clients times the helper's 30 s could outlast
            # pytest's own timeout on a loaded machine, which fails without saying what differed.
            await asyncio.gather(
                *(assert_matches_database(client, survivor.port, survivor.base_url) for client in clients)
            )
            for client in clients:
                await client.stop()
            return clients, proposals

        clients, proposals = asyncio.run(scenario())
        assert doomed.process.wait(timeout=10) == -signal.SIGKILL
        truth = database_truth(env["DATABASE_URL"])
        moved = [client for client in clients if client.reconnects > 0]
        assert len(moved) >= len(clients) // 2, "the killed process's clients reconnected to the other"
        assert truth["events"] == truth["last_seq"], "gapless: nothing half-written"
        assert len(truth["votes"]) == len(clients) * len(proposals), "every acknowledged vote, once"
        tallies = {p: sum(1 for (_, proposal) in truth["votes"] if proposal == p) for p in proposals}
        final = clients[0].state["proposals"]
        assert {p: sum(final[p]["tally"].values()) for p in proposals} == tallies, "none counted twice"


@contextlib.contextmanager
def private_redis():
    """A Redis of this test's own, on a free port, that the test may kill and start again."""
    port = free_port()
    command = ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    holder = {"process": subprocess.Popen(command, stdout=subprocess.DEVNULL)}
    assert wait_for_port(port, process=holder["process"]), "redis-server did not start"

    def restart():
        holder["process"] = subprocess.Popen(command, stdout=subprocess.DEVNULL)
        assert wait_for_port(port, process=holder["process"]), "redis-server did not start again"

    try:
        yield f"redis://127.0.0.1:{port}/0", holder, restart
    finally:
        holder["process"].kill()
        holder["process"].wait()


def test_a_redis_restart_mid_session_leaves_every_client_with_the_databases_state():
    with postgres_redis_database() as env, private_redis() as (redis_url, redis, restart_redis):
        env = {**env, "REDIS_URL": redis_url}
        with daphne_servers(env, count=2) as (first, second):
            cookies = join_people(first.base_url, 10, "redis")

            async def scenario():
                clients = [
                    ResilientClient(f"r{n}", [ws(first) if n % 2 else ws(second)], cookie)
                    for n, cookie in enumerate(cookies)
                ]
                await start_all(clients)
                proposals = await propose(clients[0], 2)

                async def votes(choice):
                    for client in clients:
                        await client.command("vote.cast", proposal=proposals[0], choice=choice)
                    await asyncio.gather(*(client.settled(timeout=60) for client in clients))

                await votes("agree")
                redis["process"].kill()
                redis["process"].wait()
                await votes("disagree")  # acknowledged: the database is the record
                await asyncio.sleep(1)
                restart_redis()
                await votes("pass")
                last = max(max(ack["seq"] or 0 for ack in client.acks.values()) for client in clients)
                started = time.monotonic()
                await asyncio.gather(*(client.reached(last, timeout=30) for client in clients))
                caught_up = time.monotonic() - started
                await asyncio.gather(
                    *(assert_matches_database(client, first.port, first.base_url) for client in clients)
                )
                for client in clients:
                    await client.stop()
                return clients, proposals, caught_up

            clients, proposals, caught_up = asyncio.run(scenario())

        truth = database_truth(env["DATABASE_URL"])
        assert truth["events"] == truth["last_seq"]
        assert sorted(
            choice for (_, proposal), choice in truth["votes"].items() if proposal == proposals[0]
        ) == ["pass"] * len(clients)
        assert all(not client.errors for client in clients)
        assert caught_up < 15, f"clients caught up {caught_up:.1f} s after the last vote"
