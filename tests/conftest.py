import os
import shutil
import tempfile
import uuid
from pathlib import Path

import pytest
from django.conf import settings

# Under pytest-xdist the workers share one Redis, and its publish/subscribe ignores the database number:
# each worker's channel-layer groups (in this process, and in the Daphne processes its tests start, which
# inherit the environment) get a prefix of their own, so one worker's roundtable 1 never hears another's.
# The run's id is in it too: make test runs its SQLite and PostgreSQL passes at once, each with a gw0.
if worker := os.environ.get("PYTEST_XDIST_WORKER"):
    run = os.environ.get("PYTEST_XDIST_TESTRUNUID", "")[:8]
    prefix = f"{os.environ.get('ROUNDTABLE_CHANNEL_PREFIX', 'asgi')}-{run}-{worker}"
    os.environ["ROUNDTABLE_CHANNEL_PREFIX"] = prefix
    if "prefix" in settings.CHANNEL_LAYERS["default"].get("CONFIG", {}):
        settings.CHANNEL_LAYERS["default"]["CONFIG"]["prefix"] = prefix


def pytest_configure(config):
    """One vector cache for the whole run (ROUNDTABLE_VECTOR_CACHE_DIR, a real setting of the product):
    most rooms the tests fill hold the same few trilingual ideas, and each Daphne's analysis worker would
    otherwise embed them again, on this kind of machine at real CPU cost (docs/performance.md, "`make
    test` under 15 minutes"). Made by the process that starts the run, before xdist starts its workers,
    which inherit it with the environment, as the Daphne processes they start do; removed at its end.
    A run given a folder (the variable already set) keeps it."""
    if os.environ.get("PYTEST_XDIST_WORKER") or os.environ.get("ROUNDTABLE_VECTOR_CACHE_DIR"):
        return
    folder = tempfile.mkdtemp(prefix="roundtable-vectors-")
    os.environ["ROUNDTABLE_VECTOR_CACHE_DIR"] = folder
    settings.ROUNDTABLE_VECTOR_CACHE_DIR = folder
    config.add_cleanup(lambda: shutil.rmtree(folder, ignore_errors=True))


@pytest.fixture(autouse=True, scope="session")
def rate_limit_namespace():
    """Rate-limit counters in Redis outlive a test database whose ids start again at 1: give each test
    run its own keys, so one run's counts never reach the next."""
    settings.ROUNDTABLE_RATE_LIMIT_PREFIX = f"test-{uuid.uuid4().hex}:rate"


@pytest.fixture(scope="session")
def django_db_modify_db_settings(
    django_db_modify_db_settings_parallel_suffix, django_db_keepdb: bool, django_db_createdb: bool
) -> None:
    """Before the test database is made: an interrupted run leaves its SQLite file's -wal and -shm
    beside it, and Django replaces only the file, so the next run's new database would read the old
    journal and fail with "disk I/O error". (Runs after pytest-django has named this worker's file;
    with --reuse-db the journal still belongs to the kept file, and holds its last commits.)"""
    if django_db_keepdb and not django_db_createdb:
        return
    for database in settings.DATABASES.values():
        name = database.get("TEST", {}).get("NAME")
        if database["ENGINE"] == "django.db.backends.sqlite3" and name:
            for leftover in (Path(f"{name}-wal"), Path(f"{name}-shm")):
                leftover.unlink(missing_ok=True)


def pytest_collection_modifyitems(items):
    """Longest first: `make test` hands whole files to its workers in this order (--dist loadfile
    --no-loadscope-reorder), and a browser file of a few minutes handed out last would run alone at the
    end while the other workers sit idle. Files that start servers and browsers go first, the many quick
    ones after them fill the gaps; within a file the order is kept."""

    def weight(item) -> int:
        path = item.path.as_posix()
        if item.get_closest_marker("browser") or "/tests/faults/" in path:
            return 0
        if "/tests/live/" in path:
            return 1
        return 2

    items.sort(key=weight)
