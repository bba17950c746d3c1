"""The analysis' arithmetic (sentence vectors, clustering, opinion groups) in a process of its own, at a
lower CPU priority than the process that asks for it.

Why (docs/performance.md, "The fan-out with the analysis running"): run on a thread of the Daphne process,
an analysis shared that process's GIL and cores with its event loop: the encoder's OpenMP threads and
the clustering's Python took a quarter to a third of each Daphne process's CPU during a vote burst, and
every socket waited for it. Here the Daphne process only reads and writes the database and waits on a
pipe (without the GIL); the kernel gives the event loops the cores first, and this process what is left.

Pure computation, no Django, as the rest of this package: the caller hands it functions of
`deliberation.analysis` and plain data (texts, vectors, votes), and gets back what they return or raise.
One worker per calling process, started on first use and kept (the encoder loads once); it ends when
its parent does (its stdin closes). A worker that dies is started again and the call made once more:
every function it runs is pure, so running one twice changes nothing."""

import contextlib
import os
import pickle
import signal
import struct
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO

ROOT = Path(__file__).resolve().parents[2]
# Only this package's functions run there: the pipe is private, but the worker has one job.
ALLOWED_MODULE_PREFIX = "deliberation.analysis."
_HEADER = struct.Struct("!Q")


class WorkerUnavailable(RuntimeError):
    """The worker process could not be started, or died during a call and again when it was retried."""


def _write(stream: BinaryIO, value: Any) -> None:
    data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_HEADER.pack(len(data)))
    stream.write(data)
    stream.flush()


def _read_exactly(stream: BinaryIO, size: int) -> bytes:
    chunks, left = [], size
    while left:
        chunk = stream.read(left)
        if not chunk:
            raise EOFError("the other end closed the pipe")
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def _read(stream: BinaryIO) -> Any:
    (size,) = _HEADER.unpack(_read_exactly(stream, _HEADER.size))
    # Both ends are this program: the pipe is private to a parent and the child it started.
    return pickle.loads(_read_exactly(stream, size))  # noqa: S301


class AnalysisWorker:
    """A worker process and the pipe to it; `call` is safe from several threads (calls take turns)."""

    def __init__(self, *, nice: int = 10, threads: int = 1) -> None:
        self.nice = nice
        self.threads = threads
        self.process: subprocess.Popen | None = None
        self._lock = threading.Lock()

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process is not None and self.process.poll() is None else None

    def call(self, function: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
        """`function(*args, **kwargs)` in the worker: its return value, or its exception raised here."""
        if not function.__module__.startswith(ALLOWED_MODULE_PREFIX):
            raise ValueError(f"{function.__module__}.{function.__qualname__} is not analysis arithmetic")
        with self._lock:
            for attempt in (1, 2):
                process = self._running()
                try:
                    _write(process.stdin, (function, args, kwargs))
                    succeeded, value = _read(process.stdout)
                except (OSError, EOFError, pickle.UnpicklingError) as error:
                    self._discard()
                    if attempt == 2:
                        raise WorkerUnavailable("the analysis worker died twice during one call") from error
                    continue
                if succeeded:
                    return value
                raise value
        raise AssertionError("unreachable")

    def stop(self) -> None:
        with self._lock:
            self._discard()

    def _running(self) -> subprocess.Popen:
        if self.process is not None and self.process.poll() is None:
            return self.process
        self._discard()
        env = {
            **os.environ,
            # Read when the encoder's and numpy's libraries load, i.e. in the worker before any import.
            # One thread: this is background work on a machine whose cores belong to the event loops;
            # a second OpenMP thread spinning at each barrier would take a core from them.
            "OMP_NUM_THREADS": str(self.threads),
            "OMP_WAIT_POLICY": "PASSIVE",
            "OPENBLAS_NUM_THREADS": str(self.threads),
            "MKL_NUM_THREADS": str(self.threads),
        }
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "deliberation.analysis.worker", "--nice", str(self.nice)],
                cwd=ROOT,
                env=env,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
            )
        except OSError as error:
            raise WorkerUnavailable("could not start the analysis worker") from error
        return self.process

    def _discard(self) -> None:
        process, self.process = self.process, None
        if process is None:
            return
        for stream in (process.stdin, process.stdout):
            with contextlib.suppress(OSError):
                stream.close()
        if process.poll() is None:
            process.kill()
        process.wait()


def worker_conditions() -> dict[str, Any]:
    """Where a call runs: its process, that process's priority and thread settings (for a health check
    and the tests)."""
    return {
        "pid": os.getpid(),
        "nice": os.getpriority(os.PRIO_PROCESS, 0),
        "omp_threads": os.environ.get("OMP_NUM_THREADS"),
    }


def _serve(requests: BinaryIO, answers: BinaryIO) -> None:
    while True:
        try:
            function, args, kwargs = _read(requests)
        except EOFError:
            return  # the parent closed the pipe or died
        try:
            if not function.__module__.startswith(ALLOWED_MODULE_PREFIX):
                raise ValueError(f"{function.__module__} is not analysis arithmetic")
            answer = (True, function(*args, **kwargs))
        except Exception as error:
            answer = (False, error)
        try:
            _write(answers, answer)
        except (pickle.PicklingError, TypeError, AttributeError) as error:
            # An exception (or result) that cannot cross the pipe is still an answer.
            _write(answers, (False, RuntimeError(f"{type(error).__name__}: {error}")))


def main(argv: list[str] | None = None) -> None:
    import argparse

    parser = argparse.ArgumentParser(description="Serve analysis calls on stdin/stdout (see the module).")
    parser.add_argument("--nice", type=int, default=10)
    arguments = parser.parse_args(argv)
    if arguments.nice:
        os.nice(arguments.nice)
    # Ctrl-C in a terminal reaches the whole process group: the parent decides; this process ends when
    # the parent closes the pipe.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # The answers go to the original stdout; anything a library prints goes to stderr, not into the pipe.
    answers = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    _serve(sys.stdin.buffer, answers)


if __name__ == "__main__":
    main()
