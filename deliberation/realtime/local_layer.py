"""The channel layer of the embedded default (one process, no Redis).

It is Channels' InMemoryChannelLayer with its two fan-out costs removed, measured in
docs/performance.md: that layer sweeps every channel and group on every receive and every group_send
(O(clients) per message, so O(clients²) per broadcast), and deep-copies the message for each recipient
through one task each. Here the sweep runs at most once per `cleanup_interval`, and a group message is
put on each member's queue as it is: messages on this layer are read-only by convention, and ours are
dicts of strings built once per event."""

import asyncio
import logging
import time

from channels.layers import InMemoryChannelLayer

logger = logging.getLogger(__name__)


class LocalChannelLayer(InMemoryChannelLayer):
    def __init__(self, cleanup_interval: float = 1.0, **kwargs) -> None:
        super().__init__(**kwargs)
        self.cleanup_interval = cleanup_interval
        self._next_cleanup = 0.0

    def _clean_expired_now_and_then(self) -> None:
        now = time.monotonic()
        if now >= self._next_cleanup:
            self._next_cleanup = now + self.cleanup_interval
            self._clean_expired()

    async def receive(self, channel: str) -> dict:
        self.require_valid_channel_name(channel)
        self._clean_expired_now_and_then()
        queue = self.channels.setdefault(channel, asyncio.Queue(maxsize=self.get_capacity(channel)))
        try:
            _, message = await queue.get()
        finally:
            if queue.empty():
                self.channels.pop(channel, None)
        return message

    async def group_send(self, group: str, message: dict) -> None:
        assert isinstance(message, dict), "message is not a dict"
        self.require_valid_group_name(group)
        self._clean_expired_now_and_then()
        expires = time.time() + self.expiry
        for channel in list(self.groups.get(group, {})):
            queue = self.channels.setdefault(channel, asyncio.Queue(maxsize=self.get_capacity(channel)))
            try:
                queue.put_nowait((expires, message))
            except asyncio.QueueFull:
                # A consumer this far behind reads what it missed back from the Event table.
                logger.warning("channel %s is full; it will fill the gap from the database", channel)
