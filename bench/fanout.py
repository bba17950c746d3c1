"""One fan-out scenario: start the servers it needs, join N participants through the real join flow,
apply the load, do the same against the bare `websockets` baseline, stop everything, print one JSON line.

    python -m bench.fanout --clients 1000 --duration 30 [--processes 1|2] [--layer memory|redis] [--burst]
"""

import argparse
import asyncio
import contextlib
import json
import os
import platform
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bench.loadgen import MAX_CLIENTS, MAX_DURATION_SECONDS, Endpoint, LoadPlan, run_load
from tests.support.servers import (
    daphne_servers,
    free_port,
    http_join,
    postgres_redis_database,
    sqlite_database,
    wait_for_port,
)

BENCH_CODE = "BENCH"
ACTOR_TYPES = [
    "government-local",
    "government-regional",
    "academia-research",
    "sme",
    "civil-society",
    "citizen",
]


def _event_loop_policy() -> None:
    with contextlib.suppress(ImportError):
        import uvloop

        asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())


def join_everyone(servers, clients: int) -> list[Endpoint]:
    def join(index: int) -> Endpoint:
        server = servers[index % len(servers)]
        cookie = http_join(
            server.base_url,
            BENCH_CODE,
            name=f"Participant {index}",
            actor_type=ACTOR_TYPES[index % len(ACTOR_TYPES)],
            language=("en", "es", "fr")[index % 3],
        )
        return Endpoint(
            url=f"ws://127.0.0.1:{server.port}/ws/r/{BENCH_CODE}/", origin=server.base_url, cookie=cookie
        )

    with ThreadPoolExecutor(max_workers=16) as pool:
        return list(pool.map(join, range(clients)))


@contextlib.contextmanager
def baseline_server():
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "bench.baseline", "--port", str(port)])
    try:
        if not wait_for_port(port, process=process):
            raise RuntimeError("the baseline server did not start")
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)


class Profiler:
    """py-spy on every Daphne process for the measured load only (not joining or connecting): one file
    of collapsed stacks per process in `folder` (`py-spy record --format raw`)."""

    def __init__(self, servers, folder: str) -> None:
        self.servers, self.folder = servers, Path(folder)
        self.processes: list[subprocess.Popen] = []

    def start(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        spy = str(Path(sys.executable).with_name("py-spy"))
        for number, server in enumerate(self.servers, start=1):
            output = self.folder / f"daphne-{number}.txt"
            command = [spy, "record", "--pid", str(server.process.pid), "--rate", "100", "--nonblocking"]
            command += ["--format", "raw", "--output", str(output)]
            self.processes.append(
                subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            )

    def stop(self) -> None:
        for process in self.processes:
            process.send_signal(signal.SIGINT)
        for process in self.processes:
            process.wait(timeout=60)


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc), 0 once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        with contextlib.suppress(OSError):
            found += [int(child) for child in task.read_text().split()]
    return found


class CpuMeter:
    """CPU seconds the Daphne processes, and their children (the analysis worker), spent during the
    measured load: where the analysis' arithmetic runs shows here."""

    def __init__(self, servers) -> None:
        self.pids = [server.process.pid for server in servers]
        self.started: dict[int, float] = {}
        self.result: dict[str, float] = {}

    def _read(self) -> dict[int, float]:
        pids = self.pids + [child for pid in self.pids for child in _children(pid)]
        return {pid: _cpu_seconds(pid) for pid in pids}

    def start(self) -> None:
        self.started = self._read()

    def stop(self) -> None:
        now = self._read()
        spent = {pid: seconds - self.started.get(pid, 0.0) for pid, seconds in now.items()}
        self.result = {
            "daphne_cpu_s": round(sum(spent[pid] for pid in self.pids), 1),
            "children_cpu_s": round(sum(v for pid, v in spent.items() if pid not in self.pids), 1),
        }


def run_scenario(args: argparse.Namespace) -> dict:
    plan = LoadPlan(
        duration=args.duration,
        votes_per_second=args.votes_per_second,
        proposals_per_second=args.proposals_per_second,
        burst=args.burst,
    )
    seed_args = ("--code", BENCH_CODE, "--capacity", str(MAX_CLIENTS), "--open-registration")
    database = postgres_redis_database(seed_args) if args.layer == "redis" else sqlite_database(seed_args)
    started = time.monotonic()
    with (
        database as env,
        daphne_servers(
            # Every simulated participant joins and connects from 127.0.0.1: one address, as a venue
            # behind one NAT; and every seat is kept until its socket opens, however long joining takes.
            {
                **env,
                "ROUNDTABLE_MAX_CONNECTIONS_PER_IP": str(MAX_CLIENTS + 100),
                "ROUNDTABLE_JOINS_PER_ADDRESS_PER_MINUTE": str(MAX_CLIENTS + 100),
                "ROUNDTABLE_SEAT_CONNECT_SECONDS": "3600",
                # What a deployment runs (DEBUG off), unless asked to measure the development settings.
                **({} if args.debug else {"DJANGO_SETTINGS_MODULE": "bench.production_settings"}),
            },
            count=args.processes,
            # Opening 1,000 sockets at once on a busy machine can take longer than Daphne's default 5 s
            # per handshake; connecting is not what is measured.
            extra_args=("-v", "0", "--websocket_connect_timeout", "120"),
        ) as servers,
    ):
        endpoints = join_everyone(servers, args.clients)
        join_seconds = time.monotonic() - started
        profiler = Profiler(servers, args.profile) if args.profile else None
        meter = CpuMeter(servers)

        def load_starts() -> None:
            meter.start()
            if profiler:
                profiler.start()

        def load_ends() -> None:
            meter.stop()
            if profiler:
                profiler.stop()

        platform_result = {**asyncio.run(run_load(endpoints, plan, (load_starts, load_ends))), **meter.result}
    baseline_result = None
    if not args.no_baseline:
        with baseline_server() as port:
            baseline_endpoints = [Endpoint(url=f"ws://127.0.0.1:{port}/")] * args.clients
            baseline_result = asyncio.run(run_load(baseline_endpoints, plan))
    result = {
        "scenario": "burst" if args.burst else "fanout",
        "clients": args.clients,
        "processes": args.processes,
        "layer": args.layer,
        "duration_s": args.duration,
        "votes_per_s": 0 if args.burst else args.votes_per_second,
        "proposals_per_s": 0 if args.burst else args.proposals_per_second,
        "settings": "development (DEBUG on)" if args.debug else "production (DEBUG off)",
        **platform_result,
        "join_seconds": round(join_seconds, 1),
    }
    if baseline_result is not None:
        result["baseline_p50_ms"] = baseline_result["p50_ms"]
        result["baseline_p99_ms"] = baseline_result["p99_ms"]
        result["baseline_lost"] = baseline_result["lost"]
        result["p99_ratio"] = (
            round(result["p99_ms"] / baseline_result["p99_ms"], 2) if baseline_result["p99_ms"] else None
        )
    result["machine"] = f"{platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}"
    return result


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clients", type=int, required=True, help=f"participants (1 to {MAX_CLIENTS})")
    parser.add_argument(
        "--duration", type=float, default=30, help=f"seconds of load (at most {MAX_DURATION_SECONDS})"
    )
    parser.add_argument("--processes", type=int, choices=(1, 2), default=1)
    parser.add_argument("--layer", choices=("memory", "redis"), default=None)
    parser.add_argument("--votes-per-second", type=float, default=20)
    parser.add_argument("--proposals-per-second", type=float, default=2)
    parser.add_argument("--burst", action="store_true", help="every participant votes once within 2 seconds")
    parser.add_argument("--no-baseline", action="store_true")
    parser.add_argument(
        "--debug",
        action="store_true",
        help="serve with the development settings (DEBUG on), as before 2026-11-30",
    )
    parser.add_argument(
        "--profile", metavar="FOLDER", help="py-spy every Daphne process during the load, into FOLDER"
    )
    args = parser.parse_args(argv)
    if args.layer is None:
        args.layer = "redis" if args.processes > 1 else "memory"
    if args.processes > 1 and args.layer == "memory":
        parser.error("the in-memory channel layer cannot span two processes: use --layer redis")
    return args


def main(argv: list[str] | None = None) -> None:
    _event_loop_policy()
    print(json.dumps(run_scenario(parse_args(argv))), flush=True)


if __name__ == "__main__":
    main()
