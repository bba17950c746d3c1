"""The load generator: N websocket clients on one roundtable, commands at a set rate, and for every
event the time from its command being sent to its arrival at each client.

Talks only to 127.0.0.1, with bounded clients and duration. Drives the platform and the baseline
(bench/baseline.py) alike: both send a snapshot with a seq, ack commands with the seq they caused, and
fan events out in seq order."""

import asyncio
import contextlib
import json
import random
import re
import time
from array import array
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import websockets

MAX_CLIENTS = 5000
MAX_DURATION_SECONDS = 600
CONNECT_CONCURRENCY = 50
EVENTS_PREFIX = '{"type":"events",'
# Event items are the objects of the top-level array; their data never holds an unescaped `{"seq":`.
EVENT_SEQ = re.compile(r'\{"seq":(\d+),"kind":')
CHOICES = ("agree", "disagree", "pass")


@dataclass(frozen=True)
class Endpoint:
    url: str
    origin: str | None = None
    cookie: str | None = None


@dataclass(frozen=True)
class LoadPlan:
    duration: float
    votes_per_second: float = 20
    proposals_per_second: float = 2
    burst: bool = False  # instead of the rates: every client votes once within burst_window seconds
    burst_window: float = 2.0
    seed_proposals: int = 20
    drain_timeout: float = 20


@dataclass
class Client:
    index: int
    endpoint: Endpoint
    socket: object = None
    seq: int = 0
    arrivals_seq: array = field(default_factory=lambda: array("q"))
    arrivals_at: array = field(default_factory=lambda: array("d"))
    acks: dict = field(default_factory=dict)
    caught_up: asyncio.Event = field(default_factory=asyncio.Event)
    target_seq: int | None = None

    async def connect(self) -> dict:
        headers = {}
        if self.endpoint.origin:
            headers["Origin"] = self.endpoint.origin
        if self.endpoint.cookie:
            headers["Cookie"] = self.endpoint.cookie
        self.socket = await websockets.connect(
            self.endpoint.url,
            additional_headers=headers,
            max_queue=None,
            ping_interval=None,
            open_timeout=120,
            compression=None,
        )
        snapshot = json.loads(await self.socket.recv())
        assert snapshot["type"] == "snapshot", snapshot
        self.seq = snapshot["seq"]
        return snapshot

    async def read(self) -> None:
        async for text in self.socket:
            if text.startswith(EVENTS_PREFIX):
                arrived = time.monotonic()
                for match in EVENT_SEQ.finditer(text):
                    seq = int(match.group(1))
                    self.arrivals_seq.append(seq)
                    self.arrivals_at.append(arrived)
                    self.seq = max(self.seq, seq)
                if self.target_seq is not None and self.seq >= self.target_seq:
                    self.caught_up.set()
                continue
            arrived = time.monotonic()
            frame = json.loads(text)
            if frame["type"] in {"ack", "error"} and frame.get("id") in self.acks:
                self.acks.pop(frame["id"]).set_result((frame, arrived, self.seq))

    async def command(self, frame: dict) -> tuple[dict, float, int]:
        """The answer to `frame`, when it arrived, and the seq this client had reached then. Stamped as
        it is read, as events are, not when the waiting task next runs: on a busy generator that is
        later, and it made acks look slower than the events they caused."""
        future = asyncio.get_running_loop().create_future()
        self.acks[frame["id"]] = future
        await self.socket.send(json.dumps(frame))
        return await asyncio.wait_for(future, timeout=60)

    def expect(self, seq: int) -> None:
        self.target_seq = seq
        if self.seq >= seq:
            self.caught_up.set()


def _check_bounds(endpoints: list[Endpoint], plan: LoadPlan) -> None:
    if not 1 <= len(endpoints) <= MAX_CLIENTS:
        raise ValueError(f"clients must be between 1 and {MAX_CLIENTS}")
    if not 0 < plan.duration <= MAX_DURATION_SECONDS:
        raise ValueError(f"duration must be between 0 and {MAX_DURATION_SECONDS} seconds")
    for endpoint in endpoints:
        if urlsplit(endpoint.url).hostname != "127.0.0.1":
            raise ValueError("the load generator only talks to 127.0.0.1")


def _percentile(sorted_values: list[float], share: float) -> float:
    if not sorted_values:
        return float("nan")
    return sorted_values[min(len(sorted_values) - 1, int(share * len(sorted_values)))]


async def run_load(
    endpoints: list[Endpoint],
    plan: LoadPlan,
    around_load: tuple[Callable[[], None], Callable[[], None]] | None = None,
) -> dict:
    """Connect every client, seed proposals, apply the load, wait for delivery, and measure.

    `around_load`: called just before the measured load and just after delivery (a profiler)."""
    _check_bounds(endpoints, plan)
    clients = [Client(index, endpoint) for index, endpoint in enumerate(endpoints)]
    gate = asyncio.Semaphore(CONNECT_CONCURRENCY)
    connect_started = time.monotonic()

    async def connect(client: Client) -> dict:
        async with gate:
            return await client.connect()

    snapshots = await asyncio.gather(*(connect(client) for client in clients))
    connect_seconds = time.monotonic() - connect_started
    readers = [asyncio.create_task(client.read()) for client in clients]
    rng = random.Random(1)
    counter = 0

    def next_id() -> str:
        nonlocal counter
        counter += 1
        return f"bench-{counter}"

    proposals = [proposal["id"] for proposal in snapshots[0].get("proposals", [])]
    # The platform's first question, collecting proposals; the baseline has no questions.
    question_id = snapshots[0]["questions"][0]["id"] if snapshots[0].get("questions") else 1
    sent_at: dict[int, float] = {}
    ack_latencies: list[float] = []
    # Per acknowledged command: had its own event already reached the sender when the ack did?
    acks_after_event: list[bool] = []
    errors: list[dict] = []
    last_choice: dict[tuple[int, int], str] = {}

    async def send(client: Client, frame: dict) -> None:
        started = time.monotonic()
        reply, arrived, reached = await client.command(frame)
        ack_latencies.append((arrived - started) * 1000)
        if reply["type"] == "ack" and reply["seq"] is not None:
            acks_after_event.append(reached >= reply["seq"])
        if reply["type"] == "error":
            errors.append(reply)
            return
        if reply["seq"] is not None:
            sent_at[reply["seq"]] = started
        if frame["type"] == "proposal.submit":
            proposals.append(reply["result"]["proposal"])

    def proposal_frame(client: Client) -> dict:
        text = f"Proposal {counter} from participant {client.index}"
        return {"type": "proposal.submit", "id": next_id(), "question": question_id, "text": text}

    def vote_frame(client: Client) -> dict:
        proposal = rng.choice(proposals)
        previous = last_choice.get((client.index, proposal))
        choice = rng.choice([c for c in CHOICES if c != previous])
        last_choice[(client.index, proposal)] = choice
        return {"type": "vote.cast", "id": next_id(), "proposal": proposal, "choice": choice}

    # Seed proposals to vote on (each from another participant: one person's are rate limited), then
    # measure from the seq after them.
    for n in range(max(0, plan.seed_proposals - len(proposals))):
        author = clients[n % len(clients)]
        reply, _, _ = await author.command(proposal_frame(author))
        assert reply["type"] == "ack", reply
        proposals.append(reply["result"]["proposal"])
    await asyncio.sleep(1)  # let the seeding events reach everyone before measuring
    start_seq = max(client.seq for client in clients)
    if around_load is not None:
        around_load[0]()

    tasks: list[asyncio.Task] = []
    load_started = time.monotonic()
    if plan.burst:
        offsets = sorted((rng.uniform(0, plan.burst_window), client) for client in clients)
        for offset, client in offsets:
            await asyncio.sleep(max(0.0, load_started + offset - time.monotonic()))
            tasks.append(asyncio.create_task(send(client, vote_frame(client))))
    else:
        schedule = []
        for kind, rate in (("vote", plan.votes_per_second), ("proposal", plan.proposals_per_second)):
            if rate > 0:
                schedule += [(i / rate, kind) for i in range(int(plan.duration * rate))]
        for at, kind in sorted(schedule):
            await asyncio.sleep(max(0.0, load_started + at - time.monotonic()))
            client = rng.choice(clients)
            frame = vote_frame(client) if kind == "vote" else proposal_frame(client)
            tasks.append(asyncio.create_task(send(client, frame)))
    await asyncio.gather(*tasks, return_exceptions=True)
    load_seconds = time.monotonic() - load_started

    final_seq = max([start_seq, *sent_at])
    for client in clients:
        client.expect(final_seq)
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(asyncio.gather(*(c.caught_up.wait() for c in clients)), plan.drain_timeout)
    drained_seconds = time.monotonic() - load_started
    if around_load is not None:
        around_load[1]()
    for reader in readers:
        reader.cancel()
    await asyncio.gather(*(client.socket.close() for client in clients), return_exceptions=True)

    latencies: list[float] = []
    lost = reordered = 0
    expected = final_seq - start_seq
    for client in clients:
        seen: set[int] = set()
        previous = 0
        for seq, arrived in zip(client.arrivals_seq, client.arrivals_at, strict=True):
            if seq <= previous:
                reordered += 1
            previous = max(previous, seq)
            if start_seq < seq <= final_seq:
                seen.add(seq)
                if seq in sent_at:
                    latencies.append((arrived - sent_at[seq]) * 1000)
        lost += expected - len(seen)
    latencies.sort()
    ack_latencies.sort()
    return {
        "events": expected,
        "deliveries": len(latencies),
        "p50_ms": round(_percentile(latencies, 0.50), 1),
        "p95_ms": round(_percentile(latencies, 0.95), 1),
        "p99_ms": round(_percentile(latencies, 0.99), 1),
        "max_ms": round(latencies[-1], 1) if latencies else None,
        "ack_p50_ms": round(_percentile(ack_latencies, 0.50), 1),
        "ack_p99_ms": round(_percentile(ack_latencies, 0.99), 1),
        "acks_after_own_event": round(sum(acks_after_event) / len(acks_after_event), 3)
        if acks_after_event
        else None,
        "lost": lost,
        "reordered": reordered,
        "errors": len(errors),
        "error_codes": sorted({e.get("code", "?") for e in errors}),
        "connect_seconds": round(connect_seconds, 1),
        "load_seconds": round(load_seconds, 1),
        # From the first command sent until every client had every event (or the drain timeout).
        "drained_seconds": round(drained_seconds, 1),
    }
