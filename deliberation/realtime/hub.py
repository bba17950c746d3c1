"""One hub per roundtable per process: the process's only subscriber to the roundtable's group.

Events reach the hub over the channel layer, possibly out of order (commits published from several
threads and processes). The hub puts them in seq order once for the whole process, fills a gap from
the Event table once (after waiting `ROUNDTABLE_GAP_WAIT_SECONDS` for the missing event to arrive),
and hands contiguous runs to every local connection. Whatever arrives while it is handing out a run
(or resting after one) goes out together in the next one, so under load many events share one
websocket frame per client and the per-client cost is paid per batch, not per event.

The hub also remembers the last ROUNDTABLE_REPLAY_LIMIT events it handed out, serialised: a client
catching up (`?since=`, `resume`) is answered from that memory, without a query, on the event loop;
only what the memory does not hold is read from the database, off the thread commands use."""

import asyncio
import collections
import contextlib
import functools
import itertools
import logging
import time
import uuid
import weakref
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol

from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from deliberation.frames import EventText, events_frame_text, frame_dumps
from deliberation.realtime.background import in_background
from deliberation.selectors import events_between, roundtable_last_seq
from deliberation.services.events import event_publishing_bind

logger = logging.getLogger(__name__)

HANDOUT_CHUNK = 100


@dataclass(frozen=True)
class Batch:
    """A contiguous run of events, with the frame most connections send for it built once."""

    events: list[EventText]
    text: str = field(init=False)
    # Participant id → positions in `events` of the events that say something to them alone.
    named: dict[int, list[int]] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "text", events_frame_text(event.text for event in self.events))
        named: dict[int, list[int]] = {}
        for position, event in enumerate(self.events):
            for participant_id in event.recipients:
                named.setdefault(participant_id, []).append(position)
        object.__setattr__(self, "named", named)

    @functools.cached_property
    def staff_text(self) -> str:
        """The frame moderators and organizers get; built once, on the first staff connection's demand."""
        return events_frame_text(self._staff_texts)

    @functools.cached_property
    def _staff_texts(self) -> list[str]:
        return [event.for_viewer(None, staff=True) for event in self.events]

    def text_for(self, viewer_id: int | None, *, staff: bool) -> str:
        """The whole batch as this connection sees it. A person named in a few events (their own votes
        in a burst's batch of hundreds) gets the shared frame with those few texts swapped in, cut and
        joined in C, instead of a frame built event by event: that was O(batch) of Python per voter,
        so O(batch²) per hand-out in a burst."""
        positions = self.named.get(viewer_id) if viewer_id is not None else None
        frame = self.staff_text if staff else self.text
        if not positions:
            return frame
        spans = self._staff_spans if staff else self._spans
        parts, cut = [], 0
        for position in positions:
            start, end = spans[position]
            parts.append(frame[cut:start])
            parts.append(self.events[position].for_viewer(viewer_id, staff=staff))
            cut = end
        parts.append(frame[cut:])
        return "".join(parts)

    @functools.cached_property
    def _spans(self) -> list[tuple[int, int]]:
        return _frame_spans([event.text for event in self.events])

    @functools.cached_property
    def _staff_spans(self) -> list[tuple[int, int]]:
        return _frame_spans(self._staff_texts)

    @property
    def first_seq(self) -> int:
        return self.events[0].seq

    @property
    def last_seq(self) -> int:
        return self.events[-1].seq


def _frame_spans(texts: list[str]) -> list[tuple[int, int]]:
    """Where each event's text sits in events_frame_text(texts): (start, end) per event."""
    spans, at = [], len(events_frame_text([])) - len("]}")
    for text in texts:
        spans.append((at, at + len(text)))
        at += len(text) + 1  # and its comma
    return spans


class HandoutBudget:
    """How long a hub rests after a hand-out: a token bucket of hand-out time.

    Hand-out time accrues at `share` of a second per second, up to `burst` seconds; a hand-out spends
    what it took, and a hub in debt rests until it is paid back. Over a busy stretch hand-outs then take
    at most `share` of the event loop (commands, acks and the other processes on the machine keep the
    rest) and what arrives meanwhile goes out as one batch: each connection costs a frame and a system
    call per hand-out, not per event, so the batch grows instead of the queue. After a quiet moment the
    next hand-out goes at once, with no rest after it, so a room at a few events a second waits for
    nothing. (Until 2026-11-30 a hub rested half as long as every hand-out took: a share of two thirds
    even for an event alone, and too much of two cores with two processes under a sustained vote;
    docs/performance.md, "Hand-outs on a budget".)"""

    # A hand-out that took long (a listener's replay read, a process paused or swapped) is not paid back
    # beyond this: resting longer would hold the whole room's events for it.
    MAX_REST_SECONDS = 0.5

    def __init__(self, *, share: float, burst: float) -> None:
        if not 0 < share <= 1 or burst < 0:
            raise ImproperlyConfigured(
                "ROUNDTABLE_HANDOUT_SHARE must be above 0 and at most 1, "
                "ROUNDTABLE_HANDOUT_BURST_SECONDS at least 0"
            )
        self.share = share
        self.burst = burst
        self.credit = burst
        self.updated: float | None = None

    def spend(self, *, started: float, ended: float) -> float:
        """Account for a hand-out from `started` to `ended` (monotonic seconds); the seconds to rest."""
        if self.updated is not None:
            # Saved up while no hand-out ran, at most `burst`.
            self.credit = min(self.burst, self.credit + (started - self.updated) * self.share)
        self.updated = ended
        # It accrued its share while it ran, and spent all of it.
        self.credit = max(
            self.credit - (ended - started) * (1 - self.share), -self.MAX_REST_SECONDS * self.share
        )
        return -self.credit / self.share if self.credit < 0 else 0.0


class Listener(Protocol):
    staff: bool

    async def deliver(self, batch: Batch) -> None: ...

    def presence_entry(self) -> list | None:
        """[participant id, actor type, role, question on screen], or None for a watcher."""

    async def send_presence(self, text: str) -> None: ...


PRESENCE_MESSAGE_TYPE = "roundtable.presence"
# Which process a presence report comes from, so each process's latest report replaces its last.
PROCESS_ID = uuid.uuid4().hex


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
        # Live presence: each process's last report (time received, people, watchers).
        self.reports: dict[str, tuple[float, list, int]] = {}
        self.presence_text: str | None = None
        # The events (remembered_from, seq], contiguous, oldest first (replays; see the module's text).
        self.remembered: collections.deque[EventText] = collections.deque()
        self.remembered_from = 0
        self.refill: asyncio.Task | None = None
        self.budget = HandoutBudget(
            share=settings.ROUNDTABLE_HANDOUT_SHARE, burst=settings.ROUNDTABLE_HANDOUT_BURST_SECONDS
        )

    async def start(self) -> None:
        self.channel = await self.layer.new_channel()
        # Subscribe before reading the seq, so no event falls between the two.
        await self.layer.group_add(self.group, self.channel)
        self.seq = await database_sync_to_async(roundtable_last_seq)(roundtable_id=self.roundtable_id)
        self.remembered_from = self.seq
        self._refill_memory()
        self.tasks = [
            asyncio.create_task(self._receive()),
            asyncio.create_task(self._hand_out()),
            asyncio.create_task(self._report_presence()),
        ]

    async def stop(self) -> None:
        if self.refill is not None:
            self.refill.cancel()
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
            try:
                message = await self.layer.receive(self.channel)
            except asyncio.CancelledError:
                raise
            except Exception:
                # The layer lost Redis: subscribe again once it is back. Events published meanwhile are
                # read back from the Event table (_catch_up), so nothing is lost, only late.
                logger.warning("channel layer receive failed; subscribing again", exc_info=True)
                await asyncio.sleep(settings.ROUNDTABLE_GAP_WAIT_SECONDS)
                with contextlib.suppress(Exception):
                    await self.layer.group_add(self.group, self.channel)
                continue
            if message.get("type") == PRESENCE_MESSAGE_TYPE:
                await self._presence_received(message)
            else:
                self._accept(EventText.from_message(item) for item in message.get("events", ()))

    # Live presence ---------------------------------------------------------------------------------------
    # Who is connected is not part of the event log: each process reports its own connections to the
    # group every ROUNDTABLE_PRESENCE_SECONDS, and every process adds up the latest reports and sends
    # the total to its staff connections when it changes. A report older than three periods (a process
    # that died) no longer counts.

    async def _report_presence(self) -> None:
        while True:
            entries = [listener.presence_entry() for listener in list(self.listeners)]
            people = [entry for entry in entries if entry is not None]
            watchers = len(entries) - len(people)
            message = {
                "type": PRESENCE_MESSAGE_TYPE,
                "process": PROCESS_ID,
                "people": people,
                "watchers": watchers,
            }
            try:
                await self.layer.group_send(self.group, message)
            except Exception:
                logger.warning("could not report presence; next period will", exc_info=True)
            await asyncio.sleep(settings.ROUNDTABLE_PRESENCE_SECONDS)

    async def _presence_received(self, message: dict) -> None:
        now = time.monotonic()
        self.reports[message["process"]] = (now, message["people"], message["watchers"])
        horizon = now - 3 * settings.ROUNDTABLE_PRESENCE_SECONDS
        self.reports = {process: report for process, report in self.reports.items() if report[0] >= horizon}
        text = frame_dumps({"type": "presence", **presence_summary(self.reports.values())})
        if text == self.presence_text:
            return
        self.presence_text = text
        for listener in list(self.listeners):
            if listener.staff:
                try:
                    await listener.send_presence(text)
                except Exception:
                    logger.exception("sending presence failed")

    def _take_run(self) -> list[EventText]:
        run = []
        while (event := self.pending.pop(self.seq + 1, None)) is not None:
            run.append(event)
            self.seq = event.seq
            self._remember(event)
        return run

    # Replay memory -------------------------------------------------------------------------------------

    def events_after(self, seq: int) -> list[EventText] | None:
        """The events after `seq` up to the last one handed out, from memory; None when the memory does
        not reach back that far (or `seq` is ahead of this hub): the caller reads the database."""
        if not self.remembered_from <= seq <= self.seq:
            return None
        skip = seq - self.remembered_from
        return list(itertools.islice(self.remembered, skip, None))

    def _remember(self, event: EventText) -> None:
        if event.rewrote_history:
            # Moderation rewrote earlier events in the database (services/history.py): forget the old
            # copies, and read the rewritten ones back once, off the loop.
            self.remembered.clear()
            self.remembered_from = event.seq - 1
            self._refill_memory()
        self.remembered.append(event)
        while len(self.remembered) > settings.ROUNDTABLE_REPLAY_LIMIT:
            self.remembered.popleft()
            self.remembered_from += 1

    def _refill_memory(self) -> None:
        """Read from the database the events before the memory's start, up to the replay limit."""
        if self.refill is not None:
            self.refill.cancel()
        self.refill = asyncio.get_running_loop().create_task(self._read_back_memory(self.remembered_from))

    async def _read_back_memory(self, upto: int) -> None:
        after = max(0, upto - settings.ROUNDTABLE_REPLAY_LIMIT + len(self.remembered))
        if after >= upto:
            return
        try:
            earlier = await in_background(events_between)(
                roundtable_id=self.roundtable_id, after=after, upto=upto
            )
        except Exception:
            # Replays before the memory's start are read from the database meanwhile: nothing is lost.
            logger.warning("could not read back the replay memory", exc_info=True)
            return
        if self.remembered_from != upto or [event.seq for event in earlier] != list(
            range(after + 1, upto + 1)
        ):
            return  # the memory moved on meanwhile (another rewrite), or the read raced a deletion
        self.remembered.extendleft(reversed(earlier))
        self.remembered_from = after

    async def _hand_out(self) -> None:
        while True:
            try:
                await asyncio.wait_for(self.arrived.wait(), settings.ROUNDTABLE_SEQ_CHECK_SECONDS)
            except TimeoutError:
                # Quiet for a while: make sure that is not because publishes were lost.
                await self._catch_up()
                continue
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
                if rest := self.budget.spend(started=started, ended=time.monotonic()):
                    await asyncio.sleep(rest)
            if self.pending:
                # Events wait behind a missing one (perhaps since before this run was handed out).
                await self._fill_gap()

    async def _catch_up(self) -> None:
        """Read back events the channel layer never delivered (a publish lost while Redis was away,
        the last event before a quiet period): the Event table is the truth."""
        try:
            last = await in_background(roundtable_last_seq)(roundtable_id=self.roundtable_id)
            if last > self.seq:
                missing = await in_background(events_between)(
                    roundtable_id=self.roundtable_id, after=self.seq, upto=last
                )
                logger.info("hub %s read back %s events it was not sent", self.roundtable_id, len(missing))
                self._accept(missing)
        except Exception:
            logger.warning("could not check the roundtable's last seq; will try again", exc_info=True)
            await asyncio.sleep(settings.ROUNDTABLE_OUTAGE_BACKOFF_SECONDS)

    async def _fill_gap(self) -> None:
        """Wait up to ROUNDTABLE_GAP_WAIT_SECONDS for the missing event; if it does not come, read the
        missing events back from the Event table, once for the whole process."""
        deadline = time.monotonic() + settings.ROUNDTABLE_GAP_WAIT_SECONDS
        while self.seq + 1 not in self.pending:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                try:
                    missing = await in_background(events_between)(
                        roundtable_id=self.roundtable_id, after=self.seq, upto=max(self.pending)
                    )
                except Exception:
                    # The database is away too: wait and try again rather than lose the hand-out task.
                    logger.warning("could not read back a gap; trying again", exc_info=True)
                    deadline = time.monotonic() + settings.ROUNDTABLE_GAP_WAIT_SECONDS
                    continue
                self._accept(missing)
                break
            self.arrived.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.arrived.wait(), remaining)
        # Whatever closed the gap, the next turn of _hand_out takes the run.
        self.arrived.set()


def presence_summary(reports: Iterable[tuple[float, list, int]]) -> dict:
    """People connected (each once, however many tabs), by actor type and by the question on screen."""
    people: dict[int, tuple[str, str, int | None]] = {}
    editing: dict[int, dict] = {}
    watchers = 0
    for _, entries, report_watchers in reports:
        watchers += report_watchers
        for participant_id, actor_type, role, question, draft, name in entries:
            if question is not None or participant_id not in people:
                people[participant_id] = (actor_type, role, question)
            if draft:
                editing[participant_id] = {"name": name, "question": draft[0], "section": draft[1]}
    connected: Counter = Counter()
    by_question: dict[str, Counter] = {}
    staff = 0
    for actor_type, role, question in people.values():
        if role != "participant":
            staff += 1
            continue
        connected[actor_type] += 1
        if question is not None:
            by_question.setdefault(str(question), Counter())[actor_type] += 1
    return {
        "connected": {"total": sum(connected.values()), "by_actor_type": dict(sorted(connected.items()))},
        "by_question": {
            question: {"total": sum(counts.values()), "by_actor_type": dict(sorted(counts.items()))}
            for question, counts in sorted(by_question.items())
        },
        "staff": staff,
        "watchers": watchers,
        # Who is drafting which question's conclusions, under which heading (staff only see presence).
        "editing": [editing[key] for key in sorted(editing)],
    }


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
