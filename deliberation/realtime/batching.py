"""Group commit: a command the whole room sends at once (a vote) is queued per roundtable per process
and written in batches, one transaction for whatever queued while the previous batch was written.

A quiet room pays nothing for it: a vote that finds the queue idle is written at once, alone. Under a
burst, the database thread would otherwise take votes one by one, each a dozen statements taking turns
on the roundtable's row lock (with PostgreSQL, each a round trip; see docs/performance.md); here the
next batch forms while the current one is written, so the batch grows with the load instead of the
queue. Each command still gets its own answer: its seq, its no-op, or its own error."""

import asyncio
import logging
import weakref
from collections.abc import Callable, Sequence
from typing import Any

from channels.db import database_sync_to_async
from django.db import IntegrityError

from deliberation.services.commands import CommandResult

logger = logging.getLogger(__name__)

# At most this many commands per transaction (a longer one would hold the lock, and the acks, longer).
BATCH_MAX = 500

# (roundtable id, [(frame, caller)...]) → one outcome per item: a CommandResult or the exception to raise.
BatchRunner = Callable[[int, Sequence[tuple[Any, Any]]], list[Any]]


def _run_batch(run_batch: BatchRunner, roundtable_id: int, items: list[tuple[Any, Any]]) -> list[Any]:
    """On the database thread. A conflict the lock should have made impossible (an IntegrityError)
    fails the whole transaction: then each command is tried alone, so one cannot fail the others.
    Any other database error (an outage) is every command's answer."""
    try:
        return run_batch(roundtable_id, items)
    except IntegrityError:
        if len(items) == 1:
            raise
        logger.exception("a batch of %s commands failed; writing them one by one", len(items))
    outcomes: list[Any] = []
    for item in items:
        try:
            outcomes.extend(run_batch(roundtable_id, [item]))
        except Exception as error:  # handed to that command's caller to raise
            outcomes.append(error)
    return outcomes


class CommandQueue:
    """The commands of one kind for one roundtable in this process, waiting for the database thread."""

    def __init__(self, roundtable_id: int, run_batch: BatchRunner) -> None:
        self.roundtable_id = roundtable_id
        self.run_batch = run_batch
        self.waiting: list[tuple[Any, Any, asyncio.Future]] = []
        self.writer: asyncio.Task | None = None

    async def submit(self, frame: Any, caller: Any) -> CommandResult:
        future = asyncio.get_running_loop().create_future()
        self.waiting.append((frame, caller, future))
        if self.writer is None or self.writer.done():
            self.writer = asyncio.create_task(self._write())
        # If the caller goes away (its socket closed), the command is still written: like a command
        # already on the database thread, it cannot be taken back, and its event reaches everyone.
        return await asyncio.shield(future)

    async def _write(self) -> None:
        while self.waiting:
            batch, self.waiting = self.waiting[:BATCH_MAX], self.waiting[BATCH_MAX:]
            items = [(frame, caller) for frame, caller, _future in batch]
            try:
                outcomes = await database_sync_to_async(_run_batch)(self.run_batch, self.roundtable_id, items)
            except Exception as error:  # every command of the batch answers with it
                outcomes = [error] * len(batch)
            for (_frame, _caller, future), outcome in zip(batch, outcomes, strict=True):
                if future.done():
                    continue
                if isinstance(outcome, BaseException):
                    future.set_exception(outcome)
                else:
                    future.set_result(outcome)


# Queues of the running event loop (tests run one loop per test; a server runs one loop).
_queues: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[tuple[int, int], CommandQueue]]" = (
    weakref.WeakKeyDictionary()
)


async def command_queued(
    *, roundtable_id: int, run_batch: BatchRunner, frame: Any, caller: Any
) -> CommandResult:
    """Run a command through its roundtable's queue for `run_batch` (one queue per runner)."""
    queues = _queues.setdefault(asyncio.get_running_loop(), {})
    key = (roundtable_id, id(run_batch))
    queue = queues.get(key)
    if queue is None:
        queue = queues[key] = CommandQueue(roundtable_id, run_batch)
    return await queue.submit(frame, caller)
