"""One hub per roundtable per process: the process's only subscriber to the roundtable's group.

Events reach the hub over the channel layer, possibly out of order (commits published from several
threads and processes). The hub puts them in seq order once for the whole process, fills a gap from
the Event table once (after waiting `ROUNDTABLE_GAP_WAIT_SECONDS` for the missing event to arrive),
and hands contiguous runs to every local connection. Whatever arrives while it is handing out a run
(or resting after one) goes out together in the next one, so under load many events share one
websocket frame per client and the per-client cost is paid per batch, not per event."""

import asyncio
import contextlib
import logging
import time
import weakref
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol

from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.conf import settings

from deliberation.frames import EventText, events_frame_text
from deliberation.selectors import events_between, roundtable_last_seq
from deliberation.services.events import event_publishing_bind

logger = logging.getLogger(__name__)

HANDOUT_CHUNK = 100


@dataclass(frozen=True)
class Batch:
    """A contiguous run of events, with the frame most connections send for it built once."""

    events: list[EventText]
    text: str = field(init=False)
    actors: frozenset = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "text", events_frame_text(event.text for event in self.events))
        object.__setattr__(self, "actors", frozenset(e.actor_id for e in self.events if e.actor_text))

    @property
    def first_seq(self) -> int:
        return self.events[0].seq

    @property
    def last_seq(self) -> int:
        return self.events[-1].seq


class Listener(Protocol):
    async def deliver(self, batch: Batch) -> None: ...


class RoomHub:
    def __init__(self, roundtable_id: int, group: str) -> None:
        self.roundtable_id = roundtable_id
        self.group = group
        self.layer = get_channel_layer()
        self.listeners: set[Listener] = set()
        self.seq = 0
        self.pending: dict[int, EventText] = {}
        self.arrived = asyncio.Event()
        self.tasks: list[asyncio.Task] = []

    async def start(self) -> None:
        self.channel = await self.layer.new_channel()
        # Subscribe before reading the seq, so no event falls between the two.
        await self.layer.group_add(self.group, self.channel)
        self.seq = await database_sync_to_async(roundtable_last_seq)(roundtable_id=self.roundtable_id)
        self.tasks = [asyncio.create_task(self._receive()), asyncio.create_task(self._hand_out())]

    async def stop(self) -> None:
        for task in self.tasks:
            task.cancel()
        for task in self.tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        with contextlib.suppress(Exception):
            await self.layer.group_discard(self.group, self.channel)

    def _accept(self, events: Iterable[EventText]) -> None:
        for event in events:
            if event.seq > self.seq:
                self.pending[event.seq] = event
        self.arrived.set()

    async def _receive(self) -> None:
        while True:
            message = await self.layer.receive(self.channel)
            self._accept(EventText.from_message(item) for item in message.get("events", ()))

    def _take_run(self) -> list[EventText]:
        run = []
        while (event := self.pending.pop(self.seq + 1, None)) is not None:
            run.append(event)
            self.seq = event.seq
        return run

    async def _hand_out(self) -> None:
        while True:
            await self.arrived.wait()
            self.arrived.clear()
            run = self._take_run()
            if run:
                started = time.monotonic()
                batch = Batch(run)
                for position, listener in enumerate(list(self.listeners), start=1):
                    try:
                        await listener.deliver(batch)
                    except Exception:
                        logger.exception("delivering seq %s..%s failed", batch.first_seq, batch.last_seq)
                    if position % HANDOUT_CHUNK == 0:
                        # Let commands and acks through between chunks of a large room.
                        await asyncio.sleep(0)
                # Rest in proportion to how long the hand-out took (half as long by default): handing
                # out never takes more than two thirds of the event loop, commands and connections keep
                # the rest, and what arrives meanwhile goes out as one batch. Costs nothing with few
                # listeners; bounds the load with many (docs/performance.md).
                await asyncio.sleep((time.monotonic() - started) * settings.ROUNDTABLE_HANDOUT_REST_FACTOR)
            if self.pending:
                # Events wait behind a missing one (perhaps since before this run was handed out).
                await self._fill_gap()

    async def _fill_gap(self) -> None:
        """Wait up to ROUNDTABLE_GAP_WAIT_SECONDS for the missing event; if it does not come, read the
        missing events back from the Event table, once for the whole process."""
        deadline = time.monotonic() + settings.ROUNDTABLE_GAP_WAIT_SECONDS
        while self.seq + 1 not in self.pending:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                missing = await database_sync_to_async(events_between)(
                    roundtable_id=self.roundtable_id, after=self.seq, upto=max(self.pending)
                )
                self._accept(missing)
                break
            self.arrived.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.arrived.wait(), remaining)
        # Whatever closed the gap, the next turn of _hand_out takes the run.
        self.arrived.set()


# Hubs of the running event loop (tests run one loop per test; a server runs one loop).
_hubs: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[int, RoomHub]]" = (
    weakref.WeakKeyDictionary()
)
_hub_locks: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock]" = weakref.WeakKeyDictionary()


async def hub_join(*, roundtable_id: int, group: str, listener: Listener) -> RoomHub:
    loop = asyncio.get_running_loop()
    event_publishing_bind(loop=loop)
    async with _hub_locks.setdefault(loop, asyncio.Lock()):
        hubs = _hubs.setdefault(loop, {})
        hub = hubs.get(roundtable_id)
        if hub is None:
            hub = RoomHub(roundtable_id, group)
            await hub.start()
            hubs[roundtable_id] = hub
        hub.listeners.add(listener)
        return hub


async def hub_leave(*, roundtable_id: int, listener: Listener) -> None:
    loop = asyncio.get_running_loop()
    async with _hub_locks.setdefault(loop, asyncio.Lock()):
        hubs = _hubs.get(loop, {})
        hub = hubs.get(roundtable_id)
        if hub is None:
            return
        hub.listeners.discard(listener)
        if not hub.listeners:
            del hubs[roundtable_id]
            await hub.stop()
