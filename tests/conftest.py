import uuid

import pytest


@pytest.fixture(autouse=True, scope="session")
def rate_limit_namespace():
    """Rate-limit counters in Redis outlive a test database whose ids start again at 1: give each test
    run its own keys, so one run's counts never reach the next."""
    from django.conf import settings

    settings.ROUNDTABLE_RATE_LIMIT_PREFIX = f"test-{uuid.uuid4().hex}:rate"
