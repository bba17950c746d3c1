import os
import uuid

import pytest
from django.conf import settings

# Under pytest-xdist the workers share one Redis, and its publish/subscribe ignores the database number:
# each worker's channel-layer groups (in this process, and in the Daphne processes its tests start, which
# inherit the environment) get a prefix of their own, so one worker's roundtable 1 never hears another's.
if worker := os.environ.get("PYTEST_XDIST_WORKER"):
    prefix = f"{os.environ.get('ROUNDTABLE_CHANNEL_PREFIX', 'asgi')}-{worker}"
    os.environ["ROUNDTABLE_CHANNEL_PREFIX"] = prefix
    if "prefix" in settings.CHANNEL_LAYERS["default"].get("CONFIG", {}):
        settings.CHANNEL_LAYERS["default"]["CONFIG"]["prefix"] = prefix


@pytest.fixture(autouse=True, scope="session")
def rate_limit_namespace():
    """Rate-limit counters in Redis outlive a test database whose ids start again at 1: give each test
    run its own keys, so one run's counts never reach the next."""
    settings.ROUNDTABLE_RATE_LIMIT_PREFIX = f"test-{uuid.uuid4().hex}:rate"
