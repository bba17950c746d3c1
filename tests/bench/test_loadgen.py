"""The load generator (bench/loadgen.py) counts what it is sent: every event at every client, and an
event a server drops, delays past a later one or splits into fragments shows as lost, reordered or
whole, not as a faster server."""

import asyncio
import json

import pytest
import websockets

from bench.fanout import baseline_server
from bench.loadgen import Endpoint, LoadPlan, run_load
from tests.support.servers import free_port

CLIENTS = 20
SLOW_SECONDS = 0.2


def compact(frame: dict) -> str:
    """As the platform writes frames (deliberation/frames.py): UTF-8, not escaped."""
    return json.dumps(frame, ensure_ascii=False, separators=(",", ":"))


@pytest.mark.parametrize("burst", [False, True], ids=["rates", "burst"])
async def test_a_run_against_the_baseline_counts_every_event_at_every_client(burst):
    with baseline_server() as port:
        endpoints = [Endpoint(url=f"ws://127.0.0.1:{port}/")] * CLIENTS
        result = await run_load(endpoints, LoadPlan(duration=2, burst=burst))

    # 2 s at 20 votes/s and 2 proposals/s, or every client voting once.
    assert result["events"] == (CLIENTS if burst else 44)
    assert result["deliveries"] == result["events"] * CLIENTS
    assert (result["lost"], result["reordered"], result["errors"]) == (0, 0, 0)
    assert result["p99_ms"] < 60_000


class StandIn:
    """bench/baseline.py's protocol, one fan-out fault at seq `at`: `drop` never sends that event,
    `late` sends it after the next one, `together` sends it with the next one in one frame (as the
    platform batches), `empty` sends an events frame with no events before it, `fragments` sends every
    events frame in three websocket fragments, `slow` hands every event out 0.2 s after its ack."""

    def __init__(self, fault: str, at: int) -> None:
        self.fault, self.at = fault, at
        self.clients: set = set()
        self.seq = 0
        self.held: dict | None = None

    def fan_out_now(self, item: dict) -> None:
        websockets.broadcast(self.clients, compact({"type": "events", "events": [item]}))

    async def handle(self, socket) -> None:
        self.clients.add(socket)
        try:
            await socket.send(compact({"type": "snapshot", "seq": self.seq, "proposals": []}))
            async for text in socket:
                frame = json.loads(text)
                self.seq += 1
                result = {"proposal": frame.get("proposal", self.seq)}
                ack = {"type": "ack", "id": frame["id"], "seq": self.seq, "result": result}
                await socket.send(compact(ack))
                item = {"seq": self.seq, "kind": frame["type"], "data": {"név": "Ünal"}}
                if self.fault == "slow":
                    asyncio.get_running_loop().call_later(SLOW_SECONDS, self.fan_out_now, item)
                    continue
                await self.fan_out(item)
        finally:
            self.clients.discard(socket)

    async def fan_out(self, item: dict) -> None:
        items = [item]
        if item["seq"] == self.at:
            if self.fault == "drop":
                return
            if self.fault in ("late", "together"):
                self.held = item
                return
            if self.fault == "empty":
                websockets.broadcast(self.clients, compact({"type": "events", "events": []}))
        if self.held is not None:
            items = [item, self.held] if self.fault == "late" else [self.held, item]
            self.held = None
        if self.fault == "late":
            for one in items:
                websockets.broadcast(self.clients, compact({"type": "events", "events": [one]}))
            return
        message = compact({"type": "events", "events": items})
        if self.fault == "fragments":
            thirds = [message[: len(message) // 3], message[len(message) // 3 : -5], message[-5:]]
            await asyncio.gather(*(client.send(thirds) for client in list(self.clients)))
            return
        websockets.broadcast(self.clients, message)


async def run_against(fault: str, at: int) -> dict:
    stand_in = StandIn(fault, at)
    port = free_port()
    async with websockets.serve(stand_in.handle, "127.0.0.1", port, ping_interval=None):
        endpoints = [Endpoint(url=f"ws://127.0.0.1:{port}/")] * CLIENTS
        plan = LoadPlan(duration=1, votes_per_second=20, proposals_per_second=2, seed_proposals=2)
        return await run_load(endpoints, plan)


async def test_an_event_the_server_never_sends_counts_as_lost_at_every_client():
    result = await run_against("drop", at=6)

    assert result["events"] == 22
    assert result["lost"] == CLIENTS
    assert result["deliveries"] == 21 * CLIENTS
    assert result["reordered"] == 0


async def test_an_event_sent_after_the_next_one_counts_as_reordered_at_every_client():
    result = await run_against("late", at=6)

    assert (result["events"], result["lost"], result["reordered"]) == (22, 0, CLIENTS)
    assert result["deliveries"] == 22 * CLIENTS


async def test_latency_is_from_the_command_sent_to_the_event_read_and_acks_are_timed_apart():
    result = await run_against("slow", at=0)

    assert (result["events"], result["lost"], result["reordered"]) == (22, 0, 0)
    # Every event left the server 0.2 s after its command arrived: no delivery can be faster, and a
    # stamp taken at send or at close instead of at read would show otherwise.
    assert result["p50_ms"] >= SLOW_SECONDS * 1000
    assert result["max_ms"] < 60_000
    # The ack came before the event on the sender's own socket, every time.
    assert result["acks_after_own_event"] == 0.0


@pytest.mark.parametrize("fault", ["together", "empty", "fragments"])
async def test_events_batched_in_one_frame_or_sent_in_fragments_all_count(fault):
    result = await run_against(fault, at=6)

    assert (result["events"], result["lost"], result["reordered"], result["errors"]) == (22, 0, 0, 0)
    assert result["deliveries"] == 22 * CLIENTS


@pytest.mark.parametrize(
    ("url", "clients", "duration"),
    [
        ("ws://localhost:9/", 1, 1),
        ("ws://10.0.0.1:9/", 1, 1),
        ("ws://127.0.0.1:9/", 0, 1),
        ("ws://127.0.0.1:9/", 5001, 1),
        ("ws://127.0.0.1:9/", 1, 601),
    ],
)
async def test_it_talks_only_to_127_0_0_1_with_bounded_clients_and_duration(url, clients, duration):
    with pytest.raises(ValueError):
        await run_load([Endpoint(url=url)] * clients, LoadPlan(duration=duration))
