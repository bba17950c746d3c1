"""Fixed-window counters for HTTP forms (joining, asking for a lost link), kept in Django's "default"
cache: with Redis configured every process counts together; the embedded default counts per process.
Keys are hashed, so an email address never sits in the cache in clear."""

import hashlib
import math
import time

from django.conf import settings
from django.core.cache import caches


def throttle_hit(*, scope: str, key: str, limit: int, seconds: int) -> int | None:
    """Count one attempt of `key` in `scope`. Past `limit` attempts in the current window, the seconds
    until the window ends (the attempt is refused); otherwise None."""
    cache = caches["default"]
    now = time.time()
    window = math.floor(now / seconds)
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    name = f"{settings.ROUNDTABLE_RATE_LIMIT_PREFIX}:throttle:{scope}:{digest}:{window}"
    cache.add(name, 0, timeout=seconds + 1)
    try:
        count = cache.incr(name)
    except ValueError:  # the window's key expired between add and incr: this is its first attempt
        cache.add(name, 1, timeout=seconds + 1)
        count = 1
    if count <= limit:
        return None
    return max(1, math.ceil((window + 1) * seconds - now))
