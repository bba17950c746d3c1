"""What the load generator itself costs: its CPU seconds per million frames read, in a burst against the
bare `websockets` baseline (bench/baseline.py, one frame per event per client), for the picows client of
bench/loadgen.py and for the websockets client it replaced (bench/loadgen.py as of OLD_CLIENT_COMMIT,
checked out of git into a temporary module for this measurement only).

    python -m bench.loadgen_cost [--clients 500] [--window 2] [--client both|new|old]

Each measurement runs in a process of its own against a fresh baseline server, on uvloop as
bench.fanout does, and prints one JSON line. CPU seconds, not wall time, are what compare on a shared
machine: the generator's (`time.process_time()`, its whole process) from just before the burst until
every client had every event (run_load's `around_load`), and the baseline server's over the same window.
Frames read in that window: one per event per client (the baseline never batches) plus one ack per vote.
"""

import argparse
import asyncio
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.fanout import _cpu_seconds, _event_loop_policy
from tests.support.servers import ROOT, free_port, wait_for_port

# The last commit of bench/loadgen.py on the websockets client.
OLD_CLIENT_COMMIT = "0386b54e2698ac1d71f94a5b9bec80bdf1c1042b"
CLIENTS = {"new": "picows", "old": f"websockets (bench/loadgen.py at {OLD_CLIENT_COMMIT[:7]})"}


def old_loadgen(folder: str):
    """bench/loadgen.py as of OLD_CLIENT_COMMIT, imported from a file in `folder`."""
    text = subprocess.run(
        ["git", "show", f"{OLD_CLIENT_COMMIT}:bench/loadgen.py"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    path = Path(folder) / "loadgen_websockets.py"
    path.write_text(text)
    spec = importlib.util.spec_from_file_location("loadgen_websockets", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def measure(client: str, clients: int, window: float) -> dict:
    if client == "new":
        import bench.loadgen as loadgen

        return _measure(loadgen, client, clients, window)
    with tempfile.TemporaryDirectory() as folder:
        return _measure(old_loadgen(folder), client, clients, window)


def _measure(loadgen, client: str, clients: int, window: float) -> dict:
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "bench.baseline", "--port", str(port)], cwd=ROOT)
    window_cpu: dict[str, float] = {}

    def load_starts() -> None:
        window_cpu["generator"] = -time.process_time()
        window_cpu["server"] = -_cpu_seconds(server.pid)

    def load_ends() -> None:
        window_cpu["generator"] += time.process_time()
        window_cpu["server"] += _cpu_seconds(server.pid)

    try:
        if not wait_for_port(port, process=server):
            raise RuntimeError("the baseline server did not start")
        endpoints = [loadgen.Endpoint(url=f"ws://127.0.0.1:{port}/")] * clients
        # Long enough a drain that even the slow client reads every frame: the cost is per frame read.
        plan = loadgen.LoadPlan(duration=window, burst=True, burst_window=window, drain_timeout=300)
        result = asyncio.run(loadgen.run_load(endpoints, plan, (load_starts, load_ends)))
    finally:
        server.terminate()
        server.wait(timeout=10)
    frames = result["events"] * clients - result["lost"] + result["events"]
    cpu = window_cpu["generator"]
    return {
        "bench": "loadgen_cost",
        "client": CLIENTS[client],
        "clients": clients,
        "burst_window_s": window,
        "events": result["events"],
        "frames_read": frames,
        "generator_cpu_s": round(cpu, 2),
        "cpu_s_per_million_frames": round(cpu / frames * 1e6, 2) if frames else None,
        "frames_per_cpu_s": round(frames / cpu) if cpu else None,
        "server_cpu_s": round(window_cpu["server"], 2),
        "load_seconds": result["load_seconds"],
        "drained_seconds": result["drained_seconds"],
        "p50_ms": result["p50_ms"],
        "p99_ms": result["p99_ms"],
        "lost": result["lost"],
        "reordered": result["reordered"],
        "errors": result["errors"],
        "load_average_1m": round(os.getloadavg()[0], 1),
    }


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clients", type=int, default=500, help="clients, each voting once (default 500)")
    parser.add_argument("--window", type=float, default=2.0, help="seconds the burst is spread over")
    parser.add_argument("--client", choices=("both", "new", "old"), default="both")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    if args.client == "both":
        # One process per measurement: neither client's memory, caches or garbage is the other's.
        for client in ("old", "new"):
            command = [sys.executable, "-m", "bench.loadgen_cost", "--client", client]
            command += ["--clients", str(args.clients), "--window", str(args.window)]
            subprocess.run(command, cwd=ROOT, check=True)
        return
    _event_loop_policy()
    print(json.dumps(measure(args.client, args.clients, args.window)), flush=True)


if __name__ == "__main__":
    main()
