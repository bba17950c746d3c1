"""What the fault tests share: joining people over HTTP, and reading what the server holds now."""

import asyncio
import json

import websockets

from tests.support.servers import http_join
from tests.support.state import state_from_snapshot

ACTOR_TYPES = ["government-local", "sme", "citizen", "academia-research", "civil-society"]


def join_people(base_url: str, count: int, prefix: str) -> list[str]:
    """Cookies of `count` participants joined through the real form."""
    return [
        http_join(base_url, "LED111", name=f"{prefix}{n}", actor_type=ACTOR_TYPES[n % 5], language="en")
        for n in range(count)
    ]


async def fresh_state(port: int, base_url: str, cookie: str | None) -> dict:
    """The state a new connection of this person gets now: the database's truth, as they may see it."""
    async with websockets.connect(
        f"ws://127.0.0.1:{port}/ws/r/LED111/",
        additional_headers={"Origin": base_url, **({"Cookie": cookie} if cookie else {})},
    ) as sock:
        while True:
            frame = json.loads(await asyncio.wait_for(sock.recv(), 10))
            if frame["type"] == "snapshot":
                return state_from_snapshot(frame)


async def assert_matches_database(client, port: int, base_url: str, *, timeout: float = 30) -> dict:
    """The client's state equals what a new connection of the same person gets, compared at the same seq.

    A fresh snapshot is read, the client must reach its seq (failing loudly at the deadline), and the two
    are compared only when they stand at the same seq: events written meanwhile (an analysis run's themes
    and balance, say) move the client on, and then both are read again. So the check cannot pass or fail
    by timing, only by a client that lost or misapplied something. Returns the snapshot's state."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        truth = await fresh_state(port, base_url, client.cookie)
        await client.reached(truth["seq"], timeout=max(0.1, deadline - loop.time()))
        if client.seq == truth["seq"]:
            assert client.state == truth, f"{client.name}: state at seq {client.seq} differs from a snapshot"
            return truth
        if loop.time() > deadline:
            raise AssertionError(f"{client.name}: never stood at the same seq as a fresh snapshot")
