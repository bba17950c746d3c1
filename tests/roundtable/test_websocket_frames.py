"""Daphne with Roundtable's websocket protocol (roundtable/websocket_frames.py) delivers every frame, whole
and in order, when a client reads slower than the server writes: the frames the socket does not take at
once wait in Twisted's buffer ahead of anything sent after them (binary frames and the close, which go
autobahn's own way)."""

import asyncio
import contextlib
import subprocess
import sys
import tempfile

import pytest
import websockets

from tests.support.frames_asgi import frame_text
from tests.support.servers import ROOT, free_port, wait_for_port


@pytest.fixture
def frames_server():
    port = free_port()
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "daphne",
                "-b",
                "127.0.0.1",
                "-p",
                str(port),
                "tests.support.frames_asgi:application",
            ],
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            assert wait_for_port(port, process=process), "daphne did not start"
            yield port
        finally:
            process.terminate()
            process.wait(timeout=10)


def expected_frames(count: int, size: int) -> list:
    frames, text = [], ""
    for number in range(count):
        if number % 3 != 2:
            text = frame_text(number, size)
        frames.append(text)
        if number % 10 == 9:
            frames.append(number.to_bytes(4, "big"))
    return frames


async def read_all(port: int, count: int, size: int, *, wait_before_reading: float) -> tuple[list, int]:
    url = f"ws://127.0.0.1:{port}/?count={count}&size={size}"
    async with websockets.connect(url, max_size=None, max_queue=2) as socket:
        # Not reading (and a queue of two frames, past which the client stops reading its socket) lets the
        # server's socket buffer fill: its later frames cannot be written at once.
        await asyncio.sleep(wait_before_reading)
        received = [await socket.recv() for _ in expected_frames(count, size)]
        await socket.send("done")
        with contextlib.suppress(websockets.ConnectionClosed):
            received.append(await socket.recv())  # nothing more may come before the close
        return received, socket.close_code


def test_a_slow_reader_gets_every_frame_whole_and_in_order(frames_server):
    # 40 frames of half a million characters (1 MB of UTF-8 each, under Daphne's limit): more than the
    # socket takes in one send.
    count, size = 40, 500_000
    received, close_code = asyncio.run(read_all(frames_server, count, size, wait_before_reading=2))
    expected = expected_frames(count, size)
    assert len(received) == len(expected)
    for position, (got, wanted) in enumerate(zip(received, expected, strict=True)):
        assert got == wanted, f"frame {position} differs"
    assert close_code == 4000


def test_small_frames_to_a_reader_keeping_up_arrive_in_order(frames_server):
    count, size = 2_000, 200
    received, close_code = asyncio.run(read_all(frames_server, count, size, wait_before_reading=0))
    assert received == expected_frames(count, size)
    assert close_code == 4000
