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


async def fresh_state(port: int, base_url: str, cookie: str | None, *, timeout: float = 30) -> dict:
    """The state a new connection of this person gets now: the database's truth, as they may see it.

    A server with more to do than its cores allow may refuse an opening handshake (Daphne drops one that
    the application has not accepted in time; seen under two CPU hogs at load 10): a browser then
    connects again (connection.js), and so does this, until `timeout`, after which it fails saying why."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        try:
            async with websockets.connect(
                f"ws://127.0.0.1:{port}/ws/r/LED111/",
                additional_headers={"Origin": base_url, **({"Cookie": cookie} if cookie else {})},
            ) as sock:
                while True:
                    frame = json.loads(await asyncio.wait_for(sock.recv(), 10))
                    if frame["type"] == "snapshot":
                        return state_from_snapshot(frame)
        except (OSError, websockets.InvalidHandshake, websockets.ConnectionClosed, TimeoutError) as refused:
            if loop.time() > deadline:
                raise AssertionError(
                    f"no snapshot from port {port} for {timeout} s: {refused!r}"
                ) from refused
            await asyncio.sleep(0.5)


async def assert_matches_database(client, port: int, base_url: str, *, timeout: float = 30) -> dict:
    """The client's state equals what a new connection of the same person gets, compared at one seq.

    A snapshot is "as of at least its seq" (selectors.roundtable_snapshot reads the seq first, so rows
    an event commits meanwhile may already show), and a few parts of it are computed when it is read
    (the balance by actor type), which the analysis runner publishes a few seconds after the votes that
    move them. So the client is compared with a snapshot when the next snapshot, read after it, has the
    same seq (nothing was written while the first was read), and the two must agree before the deadline:
    events still to come (an analysis run's themes and balance) are waited for, never skipped. A client
    that lost or misapplied an event fails, with what differs. Returns the snapshot's state."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    previous: dict | None = None
    while True:
        truth = await fresh_state(port, base_url, client.cookie, timeout=max(0.1, deadline - loop.time()))
        await client.reached(truth["seq"], timeout=max(0.1, deadline - loop.time()))
        settled = previous is not None and previous["seq"] == truth["seq"] == client.seq
        if settled and client.state == previous:
            return previous
        if loop.time() > deadline:
            where = f"at seq {client.seq}" if settled else "never at the seq of two snapshots in a row"
            raise AssertionError(f"{client.name} {where}: {differences(client.state, truth)}")
        previous = truth
        # Not faster: two dozen clients checked at once each open a socket and read a snapshot every
        # round, on the server whose events they wait for.
        await asyncio.sleep(0.5)


def differences(state: dict, truth: dict) -> str:
    """What differs between a client's state and a snapshot, to read in a failure."""
    lines = []
    for key in sorted(set(state) | set(truth)):
        mine, theirs = state.get(key), truth.get(key)
        if mine == theirs:
            continue
        if isinstance(mine, dict) and isinstance(theirs, dict):
            for item in sorted(set(mine) | set(theirs), key=str):
                if mine.get(item) != theirs.get(item):
                    lines.append(f"{key}[{item}]: client {mine.get(item)!r} / snapshot {theirs.get(item)!r}")
        else:
            lines.append(f"{key}: client {mine!r} / snapshot {theirs!r}")
    return "\n".join(line[:600] for line in lines[:10])
