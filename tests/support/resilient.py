"""A live-protocol client for fault tests that behaves as the browser's does (frontend/js/connection.js):
it keeps the roundtable's state with the reference reducer, resumes from its last seq after a drop
(possibly on another server), resends unacknowledged commands with their original ids, and asks for a
resume when it sees a gap."""

import asyncio
import contextlib
import itertools
import json
import uuid
from typing import Any

import websockets

from tests.support.state import state_apply_event, state_from_snapshot


class ResilientClient:
    def __init__(self, name: str, urls: list[tuple[str, str]], cookie: str | None) -> None:
        """`urls`: (websocket URL of /ws/r/<code>/, Origin) of each server it may use, in order."""
        self.name = name
        self.urls = urls
        self.cookie = cookie
        self.state: dict[str, Any] | None = None
        self.pending: dict[str, dict] = {}  # command id -> frame
        self.acks: dict[str, dict] = {}
        self.errors: dict[str, dict] = {}
        self.reconnects = 0
        self.gaps = 0
        self._ids = itertools.count(1)
        self._tag = uuid.uuid4().hex[:8]
        self._socket = None
        self._runner: asyncio.Task | None = None
        self._server_index = 0
        self._connected = asyncio.Event()
        self._tasks: set[asyncio.Task] = set()

    @property
    def seq(self) -> int | None:
        return self.state["seq"] if self.state else None

    async def start(self) -> None:
        self._runner = asyncio.create_task(self._run())
        await asyncio.wait_for(self._connected.wait(), 15)

    async def stop(self) -> None:
        if self._runner:
            self._runner.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._runner
        if self._socket is not None:
            with contextlib.suppress(Exception):
                await self._socket.close()

    async def _run(self) -> None:
        attempt = 0
        while True:
            url, origin = self.urls[self._server_index % len(self.urls)]
            query = f"?since={self.seq}" if self.seq is not None else ""
            headers = {"Origin": origin, **({"Cookie": self.cookie} if self.cookie else {})}
            try:
                async with websockets.connect(
                    url + query, additional_headers=headers, open_timeout=5
                ) as sock:
                    self._socket = sock
                    attempt = 0
                    for frame in list(self.pending.values()):
                        await sock.send(json.dumps(frame))
                    if self.seq is not None:
                        self._connected.set()
                    async for text in sock:
                        await self._receive(json.loads(text))
            except (OSError, websockets.ConnectionClosed, websockets.InvalidHandshake, TimeoutError):
                pass
            self._socket = None
            self.reconnects += 1
            attempt += 1
            # Try the next server; back off a little, with the browser's jitter left out for repeatability.
            self._server_index += 1
            await asyncio.sleep(min(0.1 * attempt, 1.0))

    async def _receive(self, frame: dict) -> None:
        match frame["type"]:
            case "snapshot":
                self.state = state_from_snapshot(frame)
                self._connected.set()
            case "events":
                for event in frame["events"]:
                    if self.state is None or event["seq"] <= self.state["seq"]:
                        continue
                    if event["seq"] != self.state["seq"] + 1:
                        self.gaps += 1
                        await self._socket.send(json.dumps({"type": "resume", "id": "gap", "seq": self.seq}))
                        return
                    state_apply_event(self.state, event)
            case "ack":
                if frame.get("id") in self.pending:
                    self.acks[frame["id"]] = frame
                    del self.pending[frame["id"]]
            case "error":
                if frame.get("id") in self.pending and not frame.get("retryable"):
                    self.errors[frame["id"]] = frame
                    del self.pending[frame["id"]]
                elif frame.get("id") in self.pending:
                    # Retryable (the database was away, or too fast): send it again shortly.
                    asyncio.get_running_loop().call_later(0.3, self._resend, frame["id"])

    def _resend(self, command_id: str) -> None:
        if command_id in self.pending and self._socket is not None:
            task = asyncio.ensure_future(self._send_quietly(self.pending[command_id]))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _send_quietly(self, frame: dict) -> None:
        with contextlib.suppress(Exception):
            await self._socket.send(json.dumps(frame))

    async def command(self, type_: str, **fields: Any) -> str:
        """Send a command (kept until acknowledged, resent after a reconnect); returns its id."""
        # Unique across client instances too, as the browser's UUIDs are: a reused id is a retry.
        command_id = f"{self.name}-{self._tag}-{next(self._ids)}"
        frame = {"type": type_, "id": command_id, **fields}
        self.pending[command_id] = frame
        if self._socket is not None:
            await self._send_quietly(frame)
        return command_id

    async def settled(self, timeout: float = 30) -> None:
        """Until every command is acknowledged or refused for good."""
        deadline = asyncio.get_running_loop().time() + timeout
        while self.pending:
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"{self.name}: unacknowledged after {timeout} s: {list(self.pending)}")
            await asyncio.sleep(0.05)

    async def reached(self, seq: int, timeout: float = 30) -> None:
        deadline = asyncio.get_running_loop().time() + timeout
        while self.seq is None or self.seq < seq:
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"{self.name}: at seq {self.seq}, expected {seq}")
            await asyncio.sleep(0.05)
