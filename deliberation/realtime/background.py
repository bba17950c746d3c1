"""Database work no client is waiting for (countdown sweeps, analysis runs, a hub's seq checks and gap
reads) runs on threads of its own, never on the event loop.

Not on the thread commands share (Channels' thread-sensitive one): while the database is away each such
call waits the pool's whole timeout, and commands queued behind it would answer that much later. Not on
the event loop's default executor either: its several threads would each keep a pooled connection that
commands need. One thread per kind of work, so at most one connection each, closed after each call like
every other."""

import asyncio
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from channels.db import database_sync_to_async
from django.conf import settings
from django.db import DatabaseError

logger = logging.getLogger(__name__)

_executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="roundtable-background")
# Reads a client waits for but no command needs (replays and catch-up snapshots the hub's memory cannot
# serve, a person's vote order): on a thread of their own, so a flood of them waits there, never in the
# commands' queue, and holds one connection at most.
READ_EXECUTOR = ThreadPoolExecutor(max_workers=1, thread_name_prefix="roundtable-reads")
_repeating: dict[tuple[str, asyncio.AbstractEventLoop], asyncio.Task] = {}


def in_background(
    function: Callable[..., Any], *, executor: ThreadPoolExecutor | None = None
) -> Callable[..., Any]:
    return database_sync_to_async(function, thread_sensitive=False, executor=executor or _executor)


def repeat_in_background(
    *, name: str, work: Callable[[], Any], executor: ThreadPoolExecutor | None = None
) -> None:
    """Start, once per event loop, a task that runs `work` off the loop every timer tick (every process
    runs one; `work` itself must make sure only one process acts on each item). While the database is
    away it waits longer between tries. Called by the first connection or request a process serves,
    since Daphne has no startup hook."""
    loop = asyncio.get_running_loop()
    task = _repeating.get((name, loop))
    if task is not None and not task.done():
        return
    for key in [key for key in _repeating if key[1].is_closed()]:
        del _repeating[key]
    _repeating[(name, loop)] = loop.create_task(_repeat(name, in_background(work, executor=executor)))


async def _repeat(name: str, run: Callable[[], Any]) -> None:
    while True:
        try:
            await run()
        except DatabaseError:
            logger.warning("%s: the database is away; trying again", name, exc_info=True)
            await asyncio.sleep(settings.ROUNDTABLE_OUTAGE_BACKOFF_SECONDS)
            continue
        await asyncio.sleep(settings.ROUNDTABLE_TIMER_TICK_SECONDS)
