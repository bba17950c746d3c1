"""Daphne with Roundtable's websocket protocol (roundtable/websocket_frames.py) delivers every frame, whole
and in order, when a client reads slower than the server writes: the frames the socket does not take at
once wait in Twisted's buffer ahead of anything sent after them (binary frames and the close, which go
autobahn's own way). On every kind of endpoint Daphne serves: TCP, a unix socket, and TLS (where frames
must go through the TLS layer, never straight to the socket under it)."""

import asyncio
import contextlib
import datetime
import ssl
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
import websockets
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.support.frames_asgi import frame_text
from tests.support.servers import ROOT, free_port, wait_for_port


def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    key_path, certificate_path = folder / "key.pem", folder / "certificate.pem"
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    certificate_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return key_path, certificate_path


@pytest.fixture(params=["tcp", "unix", "tls"])
def frames_server(request):
    """(how to connect, url) for a real Daphne serving tests/support/frames_asgi.py on that endpoint."""
    with tempfile.TemporaryDirectory(prefix="roundtable-frames-") as folder_name:
        folder = Path(folder_name)
        port = free_port()
        if request.param == "tcp":
            endpoint = ["-b", "127.0.0.1", "-p", str(port)]
        elif request.param == "unix":
            endpoint = ["-u", str(folder / "daphne.sock")]
        else:
            key, certificate = self_signed_certificate(folder)
            endpoint = ["-e", f"ssl:port={port}:interface=127.0.0.1:privateKey={key}:certKey={certificate}"]
        with (folder / "daphne.log").open("w") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "daphne", *endpoint, "tests.support.frames_asgi:application"],
                cwd=ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            try:
                if request.param == "unix":
                    deadline = time.monotonic() + 30
                    while not (folder / "daphne.sock").exists() and time.monotonic() < deadline:
                        assert process.poll() is None, (folder / "daphne.log").read_text()
                        time.sleep(0.05)
                    assert (folder / "daphne.sock").exists(), "daphne did not open its socket"
                else:
                    assert wait_for_port(port, process=process), (folder / "daphne.log").read_text()
                yield request.param, port, folder / "daphne.sock"
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


def connect(server, count: int, size: int):
    kind, port, socket_path = server
    # A queue of two frames, past which the client stops reading its socket: a slow reader.
    options = {"max_size": None, "max_queue": 2}
    query = f"/?count={count}&size={size}"
    if kind == "unix":
        return websockets.unix_connect(str(socket_path), f"ws://localhost{query}", **options)
    if kind == "tls":
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        return websockets.connect(f"wss://127.0.0.1:{port}{query}", ssl=context, **options)
    return websockets.connect(f"ws://127.0.0.1:{port}{query}", **options)


async def read_all(server, count: int, size: int, *, wait_before_reading: float) -> tuple[list, int]:
    async with connect(server, count, size) as socket:
        # Not reading lets the server's socket buffer fill: its later frames cannot be written at once.
        await asyncio.sleep(wait_before_reading)
        received = [await asyncio.wait_for(socket.recv(), 30) for _ in expected_frames(count, size)]
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
