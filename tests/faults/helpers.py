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
    """The client's state equals what a new connection of the same person gets, compared at one seq.

    A snapshot is "as of at least its seq" (selectors.roundtable_snapshot reads the seq first, so rows
    an event commits meanwhile may already show). So the client is compared with a snapshot only when
    the next snapshot, read after it, has the same seq: nothing was written while the first was read,
    and it is exactly the state at that seq. The client must reach each snapshot's seq (failing loudly at
    the deadline); events written meanwhile (an analysis run's themes, say) make both be read again. So
    the check cannot pass or fail by timing, only by a client that lost or misapplied an event. Returns
    the snapshot's state."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    previous: dict | None = None
    while True:
        truth = await fresh_state(port, base_url, client.cookie)
        await client.reached(truth["seq"], timeout=max(0.1, deadline - loop.time()))
        if previous is not None and previous["seq"] == truth["seq"] == client.seq:
            assert client.state == previous, f"{client.name}: at seq {client.seq}, unlike a snapshot"
            return previous
        if loop.time() > deadline:
            raise AssertionError(f"{client.name}: never stood at the same seq as two snapshots in a row")
        previous = truth
