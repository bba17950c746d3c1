"""One websocket per person per roundtable. Parse a frame, call a service, answer; nothing else.

Ordering: events reach a consumer through the channel layer, possibly out of order (two commits
published from two threads or two processes). The consumer sends them to its client strictly in seq
order: it holds an early event back for a moment and, if its predecessors don't come, reads them from
the Event table. So a client sees every seq exactly once, in order."""

import asyncio
import json
import logging
from typing import Any
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.db import DatabaseError
from django.utils import translation
from pydantic import ValidationError

from deliberation.errors import ServiceError
from deliberation.frames import frame_dumps
from deliberation.models import Roundtable
from deliberation.realtime.commands import COMMANDS, Caller, ResumeFrame
from deliberation.selectors import (
    events_since,
    participant_get,
    roundtable_get_by_code,
    roundtable_snapshot,
)
from deliberation.services.events import GROUP_MESSAGE_TYPE
from deliberation.sessions import session_participant_id

logger = logging.getLogger(__name__)

CLOSE_ROUNDTABLE_NOT_FOUND = 4404


def _connection_open(*, session: Any, code: str) -> tuple[Any, Any] | None:
    roundtable = roundtable_get_by_code(code=code)
    if roundtable is None:
        return None
    participant_id = session_participant_id(session=session, roundtable=roundtable) if session else None
    return roundtable, participant_get(roundtable=roundtable, participant_id=participant_id)


def _snapshot(*, roundtable_id: int, participant_id: int | None) -> dict[str, Any]:
    roundtable = Roundtable.objects.get(pk=roundtable_id)
    viewer = participant_get(roundtable=roundtable, participant_id=participant_id)
    return roundtable_snapshot(roundtable=roundtable, viewer=viewer)


class RoundtableConsumer(AsyncWebsocketConsumer):
    roundtable_id: int
    group: str
    participant_id: int | None = None
    language: str = settings.LANGUAGE_CODE

    async def connect(self) -> None:
        self.seq = 0
        self.pending: dict[int, str] = {}
        self.gap_task: asyncio.Task | None = None
        self.send_lock = asyncio.Lock()
        opened = await database_sync_to_async(_connection_open)(
            session=self.scope.get("session"), code=self.scope["url_route"]["kwargs"]["code"]
        )
        if opened is None:
            await self.close(code=CLOSE_ROUNDTABLE_NOT_FOUND)
            return
        roundtable, participant = opened
        self.roundtable_id = roundtable.pk
        self.group = roundtable.group_name
        self.participant_id = participant.pk if participant else None
        self.language = self._pick_language(participant)
        # Join the group before reading state, so no event falls between the read and the subscription.
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        since = self._query_since()
        async with self.send_lock:
            if since is None or not await self._replay(since):
                await self._send_snapshot()

    async def disconnect(self, code: int) -> None:
        if self.gap_task is not None:
            self.gap_task.cancel()
        if hasattr(self, "group"):
            await self.channel_layer.group_discard(self.group, self.channel_name)

    # Client frames ---------------------------------------------------------------------------------

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if text_data is None:
            await self._send_error(None, ServiceError("bad_frame"))
            return
        if len(text_data) > settings.ROUNDTABLE_MAX_FRAME_BYTES or (
            len(text_data.encode("utf-8")) > settings.ROUNDTABLE_MAX_FRAME_BYTES
        ):
            await self._send_error(None, ServiceError("frame_too_large"))
            return
        try:
            frame = json.loads(text_data)
        except ValueError:
            await self._send_error(None, ServiceError("bad_frame"))
            return
        if not isinstance(frame, dict):
            await self._send_error(None, ServiceError("bad_frame"))
            return
        command_id = frame.get("id") if isinstance(frame.get("id"), str) and len(frame["id"]) <= 64 else None
        frame_type = frame.get("type")
        if frame_type == "resume":
            await self._receive_resume(frame, command_id)
            return
        command = COMMANDS.get(frame_type) if isinstance(frame_type, str) else None
        if command is None:
            await self._send_error(command_id, ServiceError("unknown_type"))
            return
        try:
            parsed = command.schema.model_validate(frame)
        except ValidationError as error:
            fields = sorted({".".join(str(part) for part in e["loc"]) for e in error.errors()})
            await self._send_error(command_id, ServiceError("invalid"), fields=fields)
            return
        caller = Caller(roundtable_id=self.roundtable_id, participant_id=self.participant_id)
        try:
            outcome = await database_sync_to_async(command.run)(parsed, caller)
        except ServiceError as error:
            await self._send_error(command_id, error)
            return
        except DatabaseError:
            logger.exception("command %s failed on the database", frame_type)
            await self._send_error(command_id, ServiceError("unavailable"), retryable=True)
            return
        await self._send_frame(
            {"type": "ack", "id": command_id, "seq": outcome.seq, "result": outcome.result}
        )

    async def _receive_resume(self, frame: dict[str, Any], command_id: str | None) -> None:
        try:
            parsed = ResumeFrame.model_validate(frame)
        except ValidationError as error:
            fields = sorted({".".join(str(part) for part in e["loc"]) for e in error.errors()})
            await self._send_error(command_id, ServiceError("invalid"), fields=fields)
            return
        async with self.send_lock:
            if parsed.seq > self.seq:
                await self._send_error(command_id, ServiceError("seq_invalid"))
                return
            if not await self._replay(parsed.seq, resend=True):
                await self._send_snapshot()
            await self._send_frame({"type": "ack", "id": command_id, "seq": self.seq, "result": {}})

    # Events from the channel layer ------------------------------------------------------------------

    async def dispatch(self, message: dict[str, Any]) -> None:
        # Channels' dispatch runs close_old_connections in a worker thread before every handler. The
        # fan-out path touches no database, and that thread hop per event per client was most of the
        # cost of a broadcast (docs/performance.md), so events skip it.
        if message["type"] == GROUP_MESSAGE_TYPE:
            await self.roundtable_event(message)
        else:
            await super().dispatch(message)

    async def roundtable_event(self, message: dict[str, Any]) -> None:
        frame = message["frame"]
        if message.get("actor_frame") and message.get("actor_id") == self.participant_id:
            frame = message["actor_frame"]
        async with self.send_lock:
            seq = message["seq"]
            if seq <= self.seq:
                return
            self.pending[seq] = frame
            await self._send_pending_in_order()
            if self.pending and self.gap_task is None:
                self.gap_task = asyncio.create_task(self._fill_gap_later())

    async def _send_pending_in_order(self) -> None:
        while (frame := self.pending.pop(self.seq + 1, None)) is not None:
            await self.send(text_data=frame)
            self.seq += 1

    async def _fill_gap_later(self) -> None:
        try:
            while self.pending:
                await asyncio.sleep(settings.ROUNDTABLE_GAP_WAIT_SECONDS)
                async with self.send_lock:
                    if self.pending and not await self._replay(self.seq):
                        await self._send_snapshot()
        finally:
            self.gap_task = None

    # Sending -------------------------------------------------------------------------------------------

    async def _replay(self, since: int, *, resend: bool = False) -> bool:
        """Send the events after `since`; False when that is impossible (too many missing, or a seq
        this roundtable never reached) and a snapshot must be sent instead.

        With `resend`, events the client says it lost are sent again even if this consumer sent them."""
        frames = await database_sync_to_async(events_since)(
            roundtable_id=self.roundtable_id, seq=since, viewer_id=self.participant_id
        )
        if frames is None:
            return False
        for frame in frames:
            if resend or frame["seq"] > self.seq:
                await self.send(text_data=frame_dumps(frame))
        self.seq = max([self.seq, since, *(frame["seq"] for frame in frames)])
        self.pending = {seq: frame for seq, frame in self.pending.items() if seq > self.seq}
        await self._send_pending_in_order()
        return True

    async def _send_snapshot(self) -> None:
        snapshot = await database_sync_to_async(_snapshot)(
            roundtable_id=self.roundtable_id, participant_id=self.participant_id
        )
        await self.send(text_data=frame_dumps(snapshot))
        self.seq = snapshot["seq"]
        self.pending = {seq: frame for seq, frame in self.pending.items() if seq > self.seq}
        await self._send_pending_in_order()

    async def _send_frame(self, frame: dict[str, Any]) -> None:
        await self.send(text_data=frame_dumps(frame))

    async def _send_error(
        self,
        command_id: str | None,
        error: ServiceError,
        *,
        retryable: bool = False,
        fields: list | None = None,
    ) -> None:
        with translation.override(self.language):
            frame = {"type": "error", "id": command_id, "code": error.code, "message": error.message}
        if retryable:
            frame["retryable"] = True
        if fields:
            frame["fields"] = fields
        await self._send_frame(frame)

    # Helpers ---------------------------------------------------------------------------------------------

    def _pick_language(self, participant: Any) -> str:
        if participant is not None:
            return participant.language
        cookie = self.scope.get("cookies", {}).get(settings.LANGUAGE_COOKIE_NAME)
        available = {code for code, _name in settings.LANGUAGES}
        return cookie if cookie in available else settings.LANGUAGE_CODE

    def _query_since(self) -> int | None:
        values = parse_qs(self.scope.get("query_string", b"").decode("latin-1")).get("since")
        if not values or not values[0].isdigit():
            return None
        return int(values[0])
