"""Database work no client is waiting for (countdown sweeps, a hub's seq checks and gap reads) runs on
one thread of its own per process.

Not on the thread commands share (Channels' thread-sensitive one): while the database is away each such
call waits the pool's whole timeout, and commands queued behind it would answer that much later. Not on
the event loop's default executor either: its several threads would each keep a pooled connection that
commands need. One thread, so at most one connection, closed after each call like every other."""

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from channels.db import database_sync_to_async

_executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="roundtable-background")


def in_background(function: Callable[..., Any]) -> Callable[..., Any]:
    return database_sync_to_async(function, thread_sensitive=False, executor=_executor)
