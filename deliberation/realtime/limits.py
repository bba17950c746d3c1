"""Rate limits of the live protocol.

- Per connection: a token bucket over every frame it sends (bad ones included), so a flood from one
  socket is cut off before it costs a parse or a query.
- Per participant: fixed windows per action (proposals, votes, reports), counted across all of the
  person's connections, and across processes through Redis when the deployment has it (in-process
  otherwise: the embedded default is one process).
- Per socket and per IP: `resume` frames (replays), token buckets, per process.
- Per IP: open connections per address, per process (nginx's limit_conn covers the whole deployment:
  deploy/nginx.conf)."""

import asyncio
import logging
import time
import weakref
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings

logger = logging.getLogger(__name__)


@dataclass
class TokenBucket:
    rate: float  # tokens per second
    burst: float
    tokens: float = field(init=False)
    updated: float = field(default_factory=time.monotonic)

    def __post_init__(self) -> None:
        self.tokens = self.burst

    def take(self) -> float:
        """0 when a token was taken; else the seconds until one will be there."""
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        if self.tokens >= 1:
            self.tokens -= 1
            return 0.0
        return (1 - self.tokens) / self.rate

    def take_nothing(self) -> float:
        """The tokens there now, taking none."""
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        return self.tokens


def connection_bucket() -> TokenBucket:
    rate, burst = settings.ROUNDTABLE_CONNECTION_FRAMES_PER_SECOND, settings.ROUNDTABLE_CONNECTION_FRAME_BURST
    return TokenBucket(rate=rate, burst=burst)


def replay_bucket() -> TokenBucket:
    """`resume` frames of one socket: a client asks after a gap, not in a loop."""
    rate, burst = settings.ROUNDTABLE_SOCKET_REPLAYS_PER_SECOND, settings.ROUNDTABLE_SOCKET_REPLAY_BURST
    return TokenBucket(rate=rate, burst=burst)


class AddressBuckets:
    """One token bucket per client address, in this process (`resume` frames of all its sockets)."""

    def __init__(self, *, rate: str, burst: str) -> None:
        self.rate_setting, self.burst_setting = rate, burst
        self.buckets: dict[str, TokenBucket] = {}

    def take(self, address: str) -> float:
        bucket = self.buckets.get(address)
        if bucket is None:
            if len(self.buckets) > 10_000:
                # Full buckets are worth nothing: forget them rather than grow without bound.
                self.buckets = {key: b for key, b in self.buckets.items() if b.take_nothing() < b.burst}
            rate, burst = getattr(settings, self.rate_setting), getattr(settings, self.burst_setting)
            bucket = self.buckets[address] = TokenBucket(rate=rate, burst=burst)
        return bucket.take()


replays_by_address = AddressBuckets(
    rate="ROUNDTABLE_ADDRESS_REPLAYS_PER_SECOND", burst="ROUNDTABLE_ADDRESS_REPLAY_BURST"
)


class _LocalWindows:
    def __init__(self) -> None:
        self.counts: dict[str, tuple[int, int]] = {}

    async def refund(self, key: str, window: int) -> None:
        slot = int(time.time() // window)
        previous_slot, count = self.counts.get(key, (slot, 0))
        if previous_slot == slot and count > 0:
            self.counts[key] = (slot, count - 1)

    async def hit(self, key: str, window: int) -> tuple[int, float]:
        now = time.time()
        slot = int(now // window)
        previous_slot, count = self.counts.get(key, (slot, 0))
        count = count + 1 if previous_slot == slot else 1
        self.counts[key] = (slot, count)
        if len(self.counts) > 100_000:
            # Old windows are worthless: drop them all rather than grow without bound.
            self.counts = {k: v for k, v in self.counts.items() if v[0] == slot}
        return count, (slot + 1) * window - now


# Connections to the limit store per process. A burst (a room voting at once) asks for one check per
# command at the same moment: they wait their turn for a connection (up to the timeout) instead of
# failing past redis-py's default pool size of 100, which let them through unchecked, each with a
# logged traceback (issue 17's profile: 10 % of a process).
REDIS_CONNECTIONS = 32
REDIS_CONNECTION_WAIT_SECONDS = 5


class _RedisWindows:
    def __init__(self, url: str) -> None:
        import redis.asyncio

        pool = redis.asyncio.BlockingConnectionPool.from_url(
            url, max_connections=REDIS_CONNECTIONS, timeout=REDIS_CONNECTION_WAIT_SECONDS
        )
        self.client = redis.asyncio.Redis(connection_pool=pool)

    async def hit(self, key: str, window: int) -> tuple[int, float]:
        now = time.time()
        slot = int(now // window)
        full_key = f"{settings.ROUNDTABLE_RATE_LIMIT_PREFIX}:{key}:{slot}"
        async with self.client.pipeline(transaction=False) as pipe:
            count, _ = await pipe.incr(full_key).expire(full_key, window + 1).execute()
        return int(count), (slot + 1) * window - now

    async def refund(self, key: str, window: int) -> None:
        await self.client.decr(f"{settings.ROUNDTABLE_RATE_LIMIT_PREFIX}:{key}:{int(time.time() // window)}")


_windows: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _LocalWindows | _RedisWindows]" = (
    weakref.WeakKeyDictionary()
)


def _windows_for_loop() -> "_LocalWindows | _RedisWindows":
    loop = asyncio.get_running_loop()
    windows = _windows.get(loop)
    if windows is None:
        url = settings.ROUNDTABLE_RATE_LIMIT_REDIS_URL
        windows = _RedisWindows(url) if url else _LocalWindows()
        _windows[loop] = windows
    return windows


async def participant_rate_check(*, participant_id: int, action: str) -> float:
    """0 when the participant may do `action` now; else the seconds until they may. A limit store
    that is down never blocks anyone: limits protect the room, they must not close it."""
    limit = settings.ROUNDTABLE_RATE_LIMITS.get(action)
    if limit is None:
        return 0.0
    allowed, window = limit
    try:
        count, reset_in = await _windows_for_loop().hit(f"{participant_id}:{action}", window)
    except Exception:
        logger.warning("rate limit store unavailable; letting %s through", action, exc_info=True)
        return 0.0
    return 0.0 if count <= allowed else max(reset_in, 0.1)


async def participant_rate_refund(*, participant_id: int, action: str) -> None:
    """Give back the count of a command that did not take effect because the server failed (the
    database was away): retrying it is not going too fast."""
    limit = settings.ROUNDTABLE_RATE_LIMITS.get(action)
    if limit is None:
        return
    try:
        await _windows_for_loop().refund(f"{participant_id}:{action}", limit[1])
    except Exception:
        logger.warning("rate limit store unavailable; no refund for %s", action, exc_info=True)


class ConnectionCounter:
    """Open sockets per client address in this process."""

    def __init__(self) -> None:
        self.open: defaultdict[str, int] = defaultdict(int)

    def admit(self, address: str) -> bool:
        if self.open[address] >= settings.ROUNDTABLE_MAX_CONNECTIONS_PER_IP:
            return False
        self.open[address] += 1
        return True

    def release(self, address: str) -> None:
        self.open[address] -= 1
        if self.open[address] <= 0:
            del self.open[address]


connections_by_address = ConnectionCounter()
