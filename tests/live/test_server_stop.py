"""A Daphne process asked to stop (SIGTERM, as systemd and the tests do) ends within seconds, even while
its analysis runner is busy with a room that has just been filled. It used to wait for ever: an analysis
run ending after the event loop had stopped published its events through async_to_sync, which handed the
send to that stopped loop (deliberation/services/events.py, events_publish)."""

import signal
import subprocess
import time

from tests.support.room_live import TRILINGUAL_IDEAS, room_prepare
from tests.support.servers import daphne_servers, organizer_login, people_join, sqlite_database

# Quiet, it ends within 0.5-2 s. The bound is loose because an analysis call in flight at SIGTERM still
# ends first, in a worker at nice 10 that a loaded machine starves (one run at load 15 took over 8 s);
# before the fix the process never ended.
STOP_SECONDS = 30


def test_a_server_stopped_while_its_analysis_runs_ends_promptly():
    with sqlite_database() as env:
        env = {**env, "ROUNDTABLE_ANALYSIS_INTERVAL_SECONDS": "0.3", "ROUNDTABLE_TIMER_TICK_SECONDS": "0.1"}
        with daphne_servers(env) as (server,):
            organizer = organizer_login(env, server.base_url)
            room_prepare(
                server,
                organizer,
                people_join(server.base_url),
                ideas=TRILINGUAL_IDEAS,
                agree_first_half=[True, False, True, False],
            )
            # The votes' analysis runs follow one another for a few seconds yet: stop in the middle.
            time.sleep(1)
            server.process.send_signal(signal.SIGTERM)
            try:
                server.process.wait(timeout=STOP_SECONDS)
            except subprocess.TimeoutExpired:
                log = server.log_path.read_text()[-3000:]
                raise AssertionError(f"daphne still running {STOP_SECONDS} s after SIGTERM:\n{log}") from None
