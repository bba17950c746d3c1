"""The fault tests' own set-up: their marker, and a CPU hog to run them under a loaded machine.

`ROUNDTABLE_TEST_CPU_HOG=N` (`make test-faults-under-load`, N=2 there) starts N processes that spin in
a loop, at the same priority as the tests and the servers they start (not niced: a real competitor for
the cores, as a colleague's benchmark or a busy CI neighbour is), for as long as the fault tests run.
The promises these tests check (nothing acknowledged is lost, every client ends equal to the database,
nothing half-written) must not depend on how fast the machine is. Issue 17, item 5; docs/reliability.md.

N is per test process: under `-n 2` each worker starts its own N. Unset or 0: no hog (`make test`)."""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

HOG_VARIABLE = "ROUNDTABLE_TEST_CPU_HOG"
REPORT = Path(__file__).resolve().parents[2] / "test-artifacts" / "cpu-hog.jsonl"


def hog_count() -> int:
    value = os.environ.get(HOG_VARIABLE, "").strip() or "0"
    if not value.isdigit():
        raise pytest.UsageError(f"{HOG_VARIABLE} must be a number of busy processes, not {value!r}")
    return int(value)


def pytest_collection_modifyitems(config, items):
    hogs = hog_count()
    for item in items:
        if "tests/faults/" not in str(item.fspath):
            continue
        item.add_marker(pytest.mark.faults)
        if hogs:
            # pytest's timeout guards against a hang, sized for a machine doing only this. N processes
            # spinning at the same priority leave each other process about 1/(N+1) of the CPU it had
            # (fewer cores than hogs: the pessimistic case), so the guard grows by N+1; what a test
            # checks, and its own deadlines for each condition, stay as they are.
            marker = item.get_closest_marker("timeout")
            base = marker.args[0] if marker and marker.args else config.getoption("timeout", None)
            base = float(base or config.getini("timeout") or 0)
            if base:
                item.add_marker(pytest.mark.timeout(base * (hogs + 1)))


@pytest.fixture(scope="session", autouse=True)
def cpu_hog():
    """N busy processes for the whole run of the fault tests (session scope, autouse: started before
    the first fault test's module fixtures, so servers start under the load too). At the end each hog's
    CPU time is read from the kernel (`wait4`) and written to test-artifacts/cpu-hog.jsonl with the
    load averages, so a run shows the load it had; a hog that died early fails the run, since the
    tests would then not have run under the load asked for."""
    count = hog_count()
    if not count:
        yield []
        return
    started = time.monotonic()
    load_at_start = os.getloadavg()
    hogs = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(count)]
    try:
        yield hogs
    finally:
        died = [hog.pid for hog in hogs if hog.poll() is not None]
        cpu_seconds = []
        for hog in hogs:
            if hog.returncode is not None:  # died, and already reaped by poll(): its usage is gone
                cpu_seconds.append(None)
                continue
            hog.kill()
            _, _, usage = os.wait4(hog.pid, 0)
            hog.returncode = -9  # reaped here: Popen must not wait for it again
            cpu_seconds.append(round(usage.ru_utime + usage.ru_stime, 1))
        report = {
            "hogs": count,
            "wall_seconds": round(time.monotonic() - started, 1),
            "hog_cpu_seconds": cpu_seconds,
            "load_at_start": [round(load, 2) for load in load_at_start],
            "load_at_end": [round(load, 2) for load in os.getloadavg()],
            "cores": os.cpu_count(),
            "worker": os.environ.get("PYTEST_XDIST_WORKER", "main"),
        }
        REPORT.parent.mkdir(parents=True, exist_ok=True)
        with REPORT.open("a") as lines:
            lines.write(json.dumps(report) + "\n")
        assert not died, f"CPU hogs {died} ended before the fault tests did: the load was not there"
