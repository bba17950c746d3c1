"""What the load generator itself costs: its CPU seconds per million frames read from the bare
`websockets` baseline (bench/baseline.py, one frame per event per client), for the picows client of
bench/loadgen.py and for the websockets client it replaced (bench/loadgen.py as of OLD_CLIENT_COMMIT,
checked out of git into a temporary module for this measurement only).

    python -m bench.loadgen_cost [--mode burst|backlog] [--clients 500] [--window 2] [--events 200]
                                 [--client both|new|old]

- `burst` (the default): `run_load` with every client voting once within `--window` seconds, as
  `bench.fanout --burst` drives the baseline. The generator's CPU from just before the burst until every
  client had every event (run_load's `around_load`); frames read: one per event per client, plus one ack
  per vote. While the generator waits for the server it sleeps, and each wake-up (`generator_waits`) costs
  a system call or two for the few frames that came in: this figure is what a run costs, not what the
  generator could read.
- `backlog`: what the generator can read. The clients connect and stop reading; another socket casts
  `--events` votes; once the server has written every frame to the sockets, the clients read again and
  the generator's CPU until every client had every event is the cost of reading frames that wait, as
  when it falls behind in a burst.

Each measurement runs in a process of its own against a fresh baseline server, on uvloop as
bench.fanout does, and prints one JSON line. CPU seconds (`time.process_time()`, the whole generator
process), not wall time, are what compare on a shared machine.
"""

import argparse
import asyncio
import importlib.util
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import websockets

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


class Window:
    """The generator's CPU seconds and sleeps, and the server's CPU seconds, between start and stop."""

    def __init__(self, server_pid: int) -> None:
        self.server_pid = server_pid

    def _read(self) -> tuple[float, int, float]:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return time.process_time(), usage.ru_nvcsw, _cpu_seconds(self.server_pid)

    def start(self) -> None:
        self.started_at = time.monotonic()
        self.started = self._read()

    def stop(self) -> None:
        ended = self._read()
        self.cpu, self.waits, self.server_cpu = (b - a for a, b in zip(self.started, ended, strict=True))


def stamp_commands(loadgen) -> list[float]:
    """Wrap the module's `Client.command` to keep when the last command was handed to a socket (the
    websockets client's only runs in the task created for it, a turn of the event loop later)."""
    last = [0.0]
    command = loadgen.Client.command
    if asyncio.iscoroutinefunction(command):

        async def stamped(client, frame):
            last[0] = time.monotonic()
            return await command(client, frame)
    else:

        def stamped(client, frame):
            last[0] = time.monotonic()
            return command(client, frame)

    loadgen.Client.command = stamped
    return last


def measure(args: argparse.Namespace) -> dict:
    if args.client == "new":
        import bench.loadgen as loadgen

        return _measure(loadgen, args)
    with tempfile.TemporaryDirectory() as folder:
        return _measure(old_loadgen(folder), args)


def _measure(loadgen, args: argparse.Namespace) -> dict:
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "bench.baseline", "--port", str(port)], cwd=ROOT)
    window = Window(server.pid)
    try:
        if not wait_for_port(port, process=server):
            raise RuntimeError("the baseline server did not start")
        endpoints = [loadgen.Endpoint(url=f"ws://127.0.0.1:{port}/")] * args.clients
        if args.mode == "burst":
            # Long enough a drain that even the slow client reads every frame: the cost is per frame.
            plan = loadgen.LoadPlan(
                duration=args.window, burst=True, burst_window=args.window, drain_timeout=300
            )
            last_command = stamp_commands(loadgen)
            result = asyncio.run(loadgen.run_load(endpoints, plan, (window.start, window.stop)))
            events = result["events"]
            frames = events * args.clients - result["lost"] + events
            # From the start of the burst until its last vote was handed to its socket.
            sent = round(last_command[0] - window.started_at, 1)
            extra = {
                "burst_window_s": args.window,
                "sent_seconds": sent,
                "load_seconds": result["load_seconds"],
            }
            extra |= {
                key: result[key] for key in ("drained_seconds", "p50_ms", "p99_ms", "lost", "reordered")
            }
        else:
            events = args.events
            extra = asyncio.run(_backlog(loadgen, endpoints, events, window, server.pid))
            frames = events * args.clients
    finally:
        server.terminate()
        server.wait(timeout=10)
    return {
        "bench": "loadgen_cost",
        "mode": args.mode,
        "client": CLIENTS[args.client],
        "clients": args.clients,
        "events": events,
        "frames_read": frames,
        "generator_cpu_s": round(window.cpu, 3),
        "cpu_s_per_million_frames": round(window.cpu / frames * 1e6, 2) if frames else None,
        "frames_per_cpu_s": round(frames / window.cpu) if window.cpu else None,
        # Times the generator had nothing to read and slept (voluntary context switches).
        "generator_waits": window.waits,
        "server_cpu_s": round(window.server_cpu, 2),
        **extra,
        "load_average_1m": round(os.getloadavg()[0], 1),
    }


def _transport(client):
    """The asyncio transport under a client of either generator."""
    if hasattr(client, "socket"):  # the websockets client
        return client.socket.transport
    return client.transport.underlying_transport


async def _backlog(loadgen, endpoints, events: int, window: Window, server_pid: int) -> dict:
    clients = [loadgen.Client(index, endpoint) for index, endpoint in enumerate(endpoints)]
    gate = asyncio.Semaphore(loadgen.CONNECT_CONCURRENCY)

    async def connect(client) -> None:
        async with gate:
            await client.connect()

    await asyncio.gather(*(connect(client) for client in clients))
    readers = [asyncio.create_task(client.read()) for client in clients if hasattr(client, "read")]
    for client in clients:
        _transport(client).pause_reading()
    async with websockets.connect(endpoints[0].url, max_queue=None, compression=None) as voter:
        await voter.recv()  # the snapshot
        for n in range(events):
            await voter.send(
                json.dumps({"type": "vote.cast", "id": f"v{n}", "proposal": 1, "choice": "agree"})
            )
        last = 0
        while last < events:
            frame = json.loads(await voter.recv())
            if frame["type"] == "events":
                last = frame["events"][-1]["seq"]
    # The server has written the last frame to the voter; wait until it is idle (everything written).
    previous = -1.0
    while (spent := _cpu_seconds(server_pid)) != previous:
        previous = spent
        await asyncio.sleep(0.2)
    window.start()
    for client in clients:
        client.expect(events)
        _transport(client).resume_reading()
    await asyncio.wait_for(asyncio.gather(*(client.caught_up.wait() for client in clients)), 300)
    window.stop()
    received = sum(len(client.arrivals_seq) for client in clients)
    for reader in readers:
        reader.cancel()
    closing = [client.close() if hasattr(client, "close") else client.socket.close() for client in clients]
    await asyncio.gather(*closing, return_exceptions=True)
    assert received == events * len(clients), (received, events * len(clients))
    return {}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--mode", choices=("burst", "backlog"), default="burst")
    parser.add_argument("--clients", type=int, default=500, help="clients (default 500)")
    parser.add_argument("--window", type=float, default=2.0, help="burst: seconds it is spread over")
    parser.add_argument("--events", type=int, default=200, help="backlog: events waiting at each client")
    parser.add_argument("--client", choices=("both", "new", "old"), default="both")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    if args.client == "both":
        # One process per measurement: neither client's memory, caches or garbage is the other's.
        for client in ("old", "new"):
            command = [sys.executable, "-m", "bench.loadgen_cost", "--client", client, "--mode", args.mode]
            command += ["--clients", str(args.clients), "--window", str(args.window)]
            command += ["--events", str(args.events)]
            subprocess.run(command, cwd=ROOT, check=True)
        return
    _event_loop_policy()
    print(json.dumps(measure(args)), flush=True)


if __name__ == "__main__":
    main()
