"""What PostgreSQL's backends serving the benchmark are doing, sampled: run it next to `bench.fanout`
on the same server; it prints one JSON line when stopped (Ctrl-C) or after `--seconds`.

    python -m bench.pgwait [--seconds 120] [--every 0.02] [--database-prefix roundtable_e2e_]

Each sample reads pg_stat_activity for the benchmark's databases: a backend is `idle in transaction`
(the application holds a transaction open between statements: Python work or a round trip under the
lock), `active` waiting on a `Lock` (another transaction holds the roundtable row), on `IO`/`LWLock`
(a commit's WAL flush), on `Client`, or running (no wait event)."""

import argparse
import json
import os
import time
from collections import Counter

import psycopg

QUERY = """
SELECT state, coalesce(wait_event_type, ''), coalesce(wait_event, '')
FROM pg_stat_activity WHERE datname LIKE %s AND pid <> pg_backend_pid()
"""


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=120)
    parser.add_argument("--every", type=float, default=0.02)
    parser.add_argument("--database-prefix", default="roundtable_e2e_")
    args = parser.parse_args(argv)
    url = os.environ.get("TEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    states: Counter = Counter()
    samples = busy = 0
    deadline = time.monotonic() + args.seconds
    with psycopg.connect(url, autocommit=True) as connection:
        try:
            while time.monotonic() < deadline:
                rows = connection.execute(QUERY, (args.database_prefix + "%",)).fetchall()
                samples += 1
                seen = [
                    f"{state} {kind}:{event}".strip(" :") for state, kind, event in rows if state != "idle"
                ]
                busy += bool(seen)
                states.update(seen)
                time.sleep(args.every)
        except KeyboardInterrupt:
            pass
    print(
        json.dumps(
            {
                "samples": samples,
                "samples_with_work": busy,
                # Backends per sample in each state, over the samples where any was not idle.
                "per_busy_sample": {
                    key: round(count / max(1, busy), 3) for key, count in states.most_common()
                },
            }
        ),
        flush=True,
    )


if __name__ == "__main__":
    main()
