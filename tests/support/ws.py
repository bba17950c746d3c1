"""Connect to the real ASGI application (origin check, sessions, routing) with a test communicator."""

import json
from typing import Any

from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings

from deliberation.models import Participant, Roundtable
from deliberation.sessions import SessionStore, session_participant_remember
from roundtable.asgi import application

ORIGIN = b"http://127.0.0.1:8000"


def _session_cookie(participant: Participant) -> bytes:
    store = SessionStore()
    session_participant_remember(session=store, participant=participant)
    store.create()
    return f"{settings.SESSION_COOKIE_NAME}={store.session_key}".encode()


class Client:
    """One person's socket: sends commands, reads frames, and keeps the last seq it saw."""

    def __init__(self, communicator: WebsocketCommunicator) -> None:
        self.communicator = communicator
        self.counter = 0
        # Frames read while waiting for a reply, kept for events() to find.
        self.unread: list[dict[str, Any]] = []

    async def receive(self, timeout: float = 3) -> dict[str, Any]:
        return await self.communicator.receive_json_from(timeout=timeout)

    async def send(self, frame: dict[str, Any] | str) -> None:
        if isinstance(frame, str):
            # send_input, not send_to: an empty text frame is a frame too.
            await self.communicator.send_input({"type": "websocket.receive", "text": frame})
        else:
            await self.communicator.send_to(text_data=json.dumps(frame))

    async def command(self, type_: str, **fields: Any) -> dict[str, Any]:
        """Send a command and return its ack or error, keeping any events that came first."""
        self.counter += 1
        command_id = fields.pop("id", f"cmd-{self.counter}")
        await self.send({"type": type_, "id": command_id, **fields})
        return await self.reply_to(command_id)

    async def reply_to(self, command_id: str) -> dict[str, Any]:
        while True:
            frame = await self.receive()
            if frame["type"] in {"ack", "error"} and frame.get("id") == command_id:
                return frame
            self.unread.append(frame)

    async def events(self, count: int) -> list[dict[str, Any]]:
        """The next `count` events, from however many `events` frames they came in, including frames
        read while waiting for a reply."""
        collected = [event for f in self.unread if f["type"] == "events" for event in f["events"]]
        self.unread = [f for f in self.unread if f["type"] != "events"]
        while len(collected) < count:
            frame = await self.receive()
            if frame["type"] == "events":
                collected.extend(frame["events"])
        assert len(collected) == count, f"expected {count} events, got {collected}"
        return collected

    async def nothing_more(self, timeout: float = 0.3) -> bool:
        return await self.communicator.receive_nothing(timeout=timeout)

    async def close(self) -> None:
        await self.communicator.disconnect()


async def connect(
    roundtable: Roundtable,
    participant: Participant | None = None,
    *,
    since: int | None = None,
    origin: bytes = ORIGIN,
    address: str = "127.0.0.1",
    language: str | None = None,
    accept_language: str | None = None,
) -> tuple[Client, dict[str, Any] | None]:
    """Open a socket; return the client and its first frame when it is a snapshot. `language` sends the
    language cookie a browser has once it has opened a page; `accept_language` the browser's header."""
    headers = [(b"origin", origin), (b"host", b"127.0.0.1:8000")]
    if accept_language:
        headers.append((b"accept-language", accept_language.encode()))
    cookies = [f"{settings.LANGUAGE_COOKIE_NAME}={language}".encode()] if language else []
    if participant is not None:
        cookies.append(await database_sync_to_async(_session_cookie)(participant))
    if cookies:
        headers.append((b"cookie", b"; ".join(cookies)))
    path = f"/ws/r/{roundtable.code}/" + (f"?since={since}" if since is not None else "")
    communicator = WebsocketCommunicator(application, path, headers=headers)
    communicator.scope["client"] = (address, 50000)
    connected, _ = await communicator.connect()
    assert connected, "the socket was refused"
    client = Client(communicator)
    if since is not None:
        return client, None
    first = await client.receive()
    assert first["type"] == "snapshot", first
    return client, first
