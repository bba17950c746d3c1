"""The load generator: N websocket clients on one roundtable, commands at a set rate, and for every
event the time from its command being sent to its arrival at each client.

Talks only to 127.0.0.1, with bounded clients and duration. Drives the platform and the baseline
(bench/baseline.py) alike: both send a snapshot with a seq, ack commands with the seq they caused, and
fan events out in seq order.

All N clients live in this one Python process, so its cost per frame read bounds what it can measure: a
burst of 1,000 votes against the baseline is a million frames. The clients are picows (Cython) sockets
whose frames are handled in the read callback itself; `python -m bench.loadgen_cost` measures the
generator's CPU seconds per million frames against the websockets client it replaced."""

import asyncio
import contextlib
import json
import math
import random
import re
import time
from array import array
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from urllib.parse import urlsplit

from picows import WSCloseCode, WSFrame, WSListener, WSMsgType, WSTransport, ws_connect

MAX_CLIENTS = 5000
MAX_DURATION_SECONDS = 600
CONNECT_CONCURRENCY = 50
CONNECT_TIMEOUT_SECONDS = 120
COMMAND_TIMEOUT_SECONDS = 60
CLOSE_TIMEOUT_SECONDS = 10
# A snapshot of a big room, or an opinions map, is far below this; picows' own default is 10 MB.
MAX_FRAME_BYTES = 64 * 1024 * 1024
# Frames are read as bytes (UTF-8: an ASCII pattern never matches inside a multi-byte character).
EVENTS_PREFIX = b'{"type":"events",'
# Event items are the objects of the top-level array; their data never holds an unescaped `{"seq":`.
EVENT_SEQ = re.compile(rb'\{"seq":(\d+),"kind":')
CHOICES = ("agree", "disagree", "pass")

_monotonic = time.monotonic
_find_seqs = EVENT_SEQ.findall
_TEXT = WSMsgType.TEXT
_CLOSE = WSMsgType.CLOSE
_CONTINUATION = WSMsgType.CONTINUATION


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


class Client(WSListener):
    """One participant's socket. picows (Cython) parses the frames and calls `on_ws_frame` for each as it
    is read, in the same callback as the socket's read: no message queue, no reader task, no text
    decoding. An `events` frame costs one monotonic clock read, one copy of its payload and a regex over
    the bytes; other frames are parsed as JSON only while a command of this client waits for its answer.
    (The websockets client this replaced cost 3-6 times more CPU per frame read, and in a burst the one
    Python process reading 1,000 sockets, not the server, set the pace: docs/performance.md, "The load
    generator".)"""

    __slots__ = (
        "acks",
        "arrivals_at",
        "arrivals_seq",
        "caught_up",
        "endpoint",
        "index",
        "parts",
        "parts_type",
        "seq",
        "snapshot",
        "target_seq",
        "transport",
    )

    def __init__(self, index: int, endpoint: Endpoint) -> None:
        super().__init__()
        self.index = index
        self.endpoint = endpoint
        self.transport: WSTransport | None = None
        self.seq = 0
        # Every event's seq as it reached this client, and when (time.monotonic()), in arrival order.
        self.arrivals_seq = array("q")
        self.arrivals_at = array("d")
        self.acks: dict[str, asyncio.Future] = {}
        self.caught_up = asyncio.Event()
        self.target_seq: float = math.inf
        self.snapshot: asyncio.Future | None = None
        # A message the server sent in fragments (autobahn and websockets do not, unless told to).
        self.parts: list[bytes] | None = None
        self.parts_type = WSMsgType.TEXT

    async def connect(self) -> dict:
        headers = {}
        if self.endpoint.origin:
            headers["Origin"] = self.endpoint.origin
        if self.endpoint.cookie:
            headers["Cookie"] = self.endpoint.cookie
        self.snapshot = asyncio.get_running_loop().create_future()
        async with asyncio.timeout(CONNECT_TIMEOUT_SECONDS):
            self.transport, _ = await ws_connect(
                lambda: self,
                self.endpoint.url,
                extra_headers=headers or None,
                websocket_handshake_timeout=CONNECT_TIMEOUT_SECONDS,
                max_frame_size=MAX_FRAME_BYTES,
            )
        snapshot = await self.snapshot
        assert snapshot["type"] == "snapshot", snapshot
        # Events read while the snapshot's future waited to resume may already be past it.
        self.seq = max(self.seq, snapshot["seq"])
        return snapshot

    def on_ws_frame(self, transport: WSTransport, frame: WSFrame) -> None:
        arrived = _monotonic()
        if frame.fin and self.parts is None:
            payload = frame.get_payload_as_bytes()
            if frame.msg_type is _TEXT and payload.startswith(EVENTS_PREFIX):
                seqs = _find_seqs(payload)
                if len(seqs) != 1:
                    self._events(seqs, arrived)
                    return
                # One event in the frame, as the baseline always sends: the common case, inline.
                seq = int(seqs[0])
                self.arrivals_seq.append(seq)
                self.arrivals_at.append(arrived)
                if seq > self.seq:
                    self.seq = seq
                    if seq >= self.target_seq:
                        self.caught_up.set()
            else:
                self._other(transport, frame.msg_type, payload, arrived)
            return
        msg_type = frame.msg_type
        if msg_type is _CONTINUATION:
            if self.parts is None:
                return
            self.parts.append(frame.get_payload_as_bytes())
            if frame.fin:
                payload, msg_type, self.parts = b"".join(self.parts), self.parts_type, None
                if msg_type is _TEXT and payload.startswith(EVENTS_PREFIX):
                    self._events(_find_seqs(payload), arrived)
                else:
                    self._other(transport, msg_type, payload, arrived)
        elif msg_type is _TEXT or msg_type is WSMsgType.BINARY:
            self.parts, self.parts_type = [frame.get_payload_as_bytes()], msg_type
        else:  # a control frame between two fragments
            self._other(transport, msg_type, frame.get_payload_as_bytes(), arrived)

    def _events(self, seqs: list[bytes], arrived: float) -> None:
        if seqs:
            numbers = [int(seq) for seq in seqs]
            self.arrivals_seq.extend(numbers)
            self.arrivals_at.extend(array("d", (arrived,)) * len(numbers))
            self.seq = max(self.seq, max(numbers))
        if self.seq >= self.target_seq:
            self.caught_up.set()

    def _other(self, transport: WSTransport, msg_type: WSMsgType, payload: bytes, arrived: float) -> None:
        if msg_type is _CLOSE:
            if not transport.is_close_frame_sent:
                transport.send_close(WSCloseCode.OK)
            transport.disconnect()
            return
        if msg_type is not _TEXT:
            return
        if self.snapshot is not None and not self.snapshot.done():
            self.snapshot.set_result(json.loads(payload))
            return
        if not self.acks:
            return
        message = json.loads(payload)
        if message["type"] in ("ack", "error") and message.get("id") in self.acks:
            future = self.acks.pop(message["id"])
            if not future.done():
                future.set_result((message, arrived, self.seq))

    def on_ws_disconnected(self, transport: WSTransport) -> None:
        gone = ConnectionError("the server closed the socket")
        for future in [self.snapshot, *self.acks.values()]:
            if future is not None and not future.done():
                future.set_exception(gone)
        self.acks.clear()

    def command(self, frame: dict) -> asyncio.Future:
        """Send `frame` now. The future answers with the reply, when it was read, and the seq this client
        had reached then: stamped as it is read, as events are, not when a waiting task next runs (on a
        busy generator that is later, and it made acks look slower than the events they caused)."""
        future = asyncio.get_running_loop().create_future()
        self.acks[frame["id"]] = future
        self.transport.send(_TEXT, json.dumps(frame, separators=(",", ":")).encode())
        return future

    def expire(self, command_id: str) -> None:
        future = self.acks.pop(command_id, None)
        if future is not None and not future.done():
            future.set_exception(TimeoutError(f"no answer to {command_id}"))

    def expect(self, seq: int) -> None:
        self.target_seq = seq
        if self.seq >= seq:
            self.caught_up.set()

    async def close(self) -> None:
        """The close handshake, as the websockets client did it: our CLOSE, the server's, then EOF."""
        transport = self.transport
        if transport is None or transport.is_disconnected:
            return
        transport.send_close(WSCloseCode.OK)
        try:
            async with asyncio.timeout(CLOSE_TIMEOUT_SECONDS):
                await transport.wait_disconnected()
        except TimeoutError:
            transport.disconnect(graceful=False)


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

    try:
        snapshots = await asyncio.gather(*(connect(client) for client in clients))
    except BaseException:
        await asyncio.gather(*(client.close() for client in clients), return_exceptions=True)
        raise
    connect_seconds = time.monotonic() - connect_started
    loop = asyncio.get_running_loop()
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
    pending: list[asyncio.Future] = []
    timers: list[asyncio.TimerHandle] = []

    def answered(frame: dict, started: float, future: asyncio.Future) -> None:
        if future.cancelled() or future.exception() is not None:
            return  # no answer within COMMAND_TIMEOUT_SECONDS, or the socket closed: not counted
        reply, arrived, reached = future.result()
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

    def send(client: Client, frame: dict) -> None:
        """Write the command to the socket now (no task, no await): its event's latency counts from
        here, and its answer is accounted for by `answered` when it is read."""
        started = _monotonic()
        future = client.command(frame)
        future.add_done_callback(partial(answered, frame, started))
        timers.append(loop.call_later(COMMAND_TIMEOUT_SECONDS, client.expire, frame["id"]))
        pending.append(future)

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
        frame = proposal_frame(author)
        try:
            reply, _, _ = await asyncio.wait_for(author.command(frame), COMMAND_TIMEOUT_SECONDS)
        finally:
            author.acks.pop(frame["id"], None)
        assert reply["type"] == "ack", reply
        proposals.append(reply["result"]["proposal"])
    await asyncio.sleep(1)  # let the seeding events reach everyone before measuring
    start_seq = max(client.seq for client in clients)
    if around_load is not None:
        around_load[0]()

    # The plan: (seconds after the start, what, who or None for a random client). Every command whose
    # time has come is sent at each wake-up. Sleeping once per command, as before, cost a turn of the
    # event loop per command, and a turn reads every socket with data waiting: on a busy generator the
    # schedule slipped (a 2 s burst of 2,000 took 11.2 s to send).
    load_started = _monotonic()
    if plan.burst:
        offsets = sorted((rng.uniform(0, plan.burst_window), client.index) for client in clients)
        schedule = [(offset, "vote", clients[index]) for offset, index in offsets]
    else:
        timings = []
        for kind, rate in (("vote", plan.votes_per_second), ("proposal", plan.proposals_per_second)):
            if rate > 0:
                timings += [(i / rate, kind) for i in range(int(plan.duration * rate))]
        schedule = [(at, kind, None) for at, kind in sorted(timings)]
    position = 0
    while position < len(schedule):
        now = _monotonic() - load_started
        while position < len(schedule) and schedule[position][0] <= now:
            _, kind, client = schedule[position]
            position += 1
            if client is None:
                client = rng.choice(clients)
            send(client, vote_frame(client) if kind == "vote" else proposal_frame(client))
        if position < len(schedule):
            await asyncio.sleep(schedule[position][0] - (_monotonic() - load_started))
    # The last command handed to its socket: issue 17's "drained after the last vote is sent" counts from it.
    sent_seconds = _monotonic() - load_started
    await asyncio.gather(*pending, return_exceptions=True)
    load_seconds = time.monotonic() - load_started
    for timer in timers:
        timer.cancel()

    final_seq = max([start_seq, *sent_at])
    for client in clients:
        client.expect(final_seq)
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(asyncio.gather(*(c.caught_up.wait() for c in clients)), plan.drain_timeout)
    drained_seconds = time.monotonic() - load_started
    if around_load is not None:
        around_load[1]()
    # What arrives from here on (while the sockets close) is not measured, as when the websockets
    # client's reader tasks were cancelled here.
    arrivals = []
    for client in clients:
        arrivals.append((client.arrivals_seq, client.arrivals_at))
        client.arrivals_seq, client.arrivals_at = array("q"), array("d")
    await asyncio.gather(*(client.close() for client in clients), return_exceptions=True)

    latencies: list[float] = []
    lost = reordered = 0
    expected = final_seq - start_seq
    for arrivals_seq, arrivals_at in arrivals:
        seen: set[int] = set()
        previous = 0
        for seq, arrived in zip(arrivals_seq, arrivals_at, strict=True):
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
        "sent_seconds": round(sent_seconds, 1),
        "drained_after_sent_seconds": round(drained_seconds - sent_seconds, 1),
    }
