"""One websocket per person per roundtable: parse a frame, call a service, answer; and pass on the
batches of events the process's hub (hub.py) hands it, from the seq this connection has reached."""

import asyncio
import functools
import logging
import math
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.db import DatabaseError
from django.utils import translation
from django.utils.translation import get_supported_language_variant
from django.utils.translation.trans_real import parse_accept_lang_header
from pydantic import ValidationError

from deliberation.errors import ServiceError
from deliberation.frames import events_frame_text, frame_dumps, frame_loads
from deliberation.models import Participant, Roundtable
from deliberation.realtime.background import READ_EXECUTOR, in_background
from deliberation.realtime.batching import command_queued
from deliberation.realtime.commands import COMMANDS, Caller, PingFrame, PresenceFrame, ResumeFrame
from deliberation.realtime.hub import Batch, hub_join, hub_leave
from deliberation.realtime.limits import (
    connection_bucket,
    connections_by_address,
    participant_rate_check,
    participant_rate_refund,
    replay_bucket,
    replays_by_address,
)
from deliberation.realtime.signout import account_group, session_group
from deliberation.selectors import events_since, roundtable_get_by_code, roundtable_snapshot_for
from deliberation.services.participants import participant_connected
from deliberation.sessions import session_for_key, session_participant
from roundtable.websocket_frames import SEND_TEXT_EXTENSION

logger = logging.getLogger(__name__)

CLOSE_ROUNDTABLE_NOT_FOUND = 4404
CLOSE_TOO_MANY_CONNECTIONS = 4429
CLOSE_SERVER_ERROR = 1011
CLOSE_SIGNED_OUT = 4401
# A `since` the client may give: a seq, in ASCII digits (str.isdigit() also takes "²" and "٣").
SINCE_PATTERN = re.compile(r"[0-9]{1,19}", re.ASCII)
MAX_SEQ = 2**62
# Commands waiting on an outside service at once, per socket (translations asked for in a row).
MAX_WAITING_COMMANDS = 4


def _connection_open(*, session_key: str | None, code: str) -> tuple[Roundtable, Participant | None] | None:
    roundtable = roundtable_get_by_code(code=code)
    if roundtable is None:
        return None
    participant = session_participant(session=session_for_key(session_key), roundtable=roundtable)
    participant_connected(participant=participant)
    return roundtable, participant


class RoundtableConsumer(AsyncWebsocketConsumer):
    roundtable_id: int
    participant_id: int | None = None
    staff = False
    actor_type = ""
    role = ""
    # The question this person has on screen, as their client reports it (for live presence).
    focus: int | None = None
    # Staff drafting conclusions: which question's draft, under which Markdown heading.
    editing: tuple[int, str] | None = None
    display_name = ""
    language: str = settings.LANGUAGE_CODE
    joined_hub = False
    accepted = False
    # The id of the frame being handled, for the error answering a failure nobody foresaw.
    frame_id: str | None = None
    # The channel-layer groups of a staff socket (its session's, its account's: signout.py), and whether
    # it was told to close.
    staff_groups: tuple[str, ...] = ()
    signed_out = False
    waiting: set[asyncio.Task]

    async def connect(self) -> None:
        self.seq = 0
        self.waiting = set()
        self.held = []
        self.bucket = connection_bucket()
        self.replay_bucket = replay_bucket()
        self.address = self.address_of_client = (self.scope.get("client") or ["unknown"])[0]
        if not connections_by_address.admit(self.address):
            self.address = None
            self.language = self._pick_language(None)
            await self.accept()
            await self._send_error(None, ServiceError("too_many_connections"), retryable=True)
            await self.close(code=CLOSE_TOO_MANY_CONNECTIONS)
            return
        try:
            await self._open()
        except Exception:
            # Whatever failed, give back the address's slot and the hub's place now: a consumer that
            # raises is never told to disconnect, and its slot would stay taken until a restart.
            logger.exception("opening a socket failed")
            await self._release()
            if self.accepted:
                await self._send_error(None, ServiceError("unavailable"), retryable=True)
            await self.close(code=CLOSE_SERVER_ERROR)

    async def _open(self) -> None:
        # While the connection reads its starting state, batches from the hub wait here.
        self.held = []
        opened = await database_sync_to_async(_connection_open)(
            session_key=self.scope.get("cookies", {}).get(settings.SESSION_COOKIE_NAME),
            code=self.scope["url_route"]["kwargs"]["code"],
        )
        if opened is None:
            await self._release()
            await self.close(code=CLOSE_ROUNDTABLE_NOT_FOUND)
            return
        roundtable, participant = opened
        if self._query_value("view") == "public":
            # The projector screen: what the room sees, even in an organizer's signed-in browser.
            participant = None
        self.roundtable_id = roundtable.pk
        self.participant_id = participant.pk if participant else None
        self.staff = participant is not None and participant.is_staff
        if participant is not None:
            self.actor_type, self.role = participant.actor_type, participant.role
            self.display_name = participant.display_name
        self.language = self._pick_language(participant)
        session_key = self.scope.get("cookies", {}).get(settings.SESSION_COOKIE_NAME)
        if self.staff and session_key:
            # Staff rights come from the signed-in session: signing it out, or changing the account's
            # password (which signs out its other sessions), closes this socket.
            self.staff_groups = (session_group(session_key=session_key),)
            if participant.user_id is not None:
                self.staff_groups += (account_group(user_id=participant.user_id),)
            for group in self.staff_groups:
                await self.channel_layer.group_add(group, self.channel_name)
        # Listen before reading state, so no event falls between the read and the subscription.
        self.hub = await hub_join(roundtable_id=roundtable.pk, group=roundtable.group_name, listener=self)
        self.joined_hub = True
        await self.accept()
        self.accepted = True
        since, since_valid = self._query_since()
        if not since_valid:
            await self._send_error(None, ServiceError("invalid"), fields=["since"])
        if since is None or not await self._replay(since):
            await self._send_snapshot()
        await self._release_held()
        if self.staff and self.hub.presence_text is not None:
            await self.send(text_data=self.hub.presence_text)

    async def disconnect(self, code: int) -> None:
        await self._release()

    async def _release(self) -> None:
        """Give back what connect took (the address's slot, the place in the hub); safe to call twice."""
        for task in list(getattr(self, "waiting", ())):
            task.cancel()
        if getattr(self, "address", None) is not None:
            connections_by_address.release(self.address)
            self.address = None
        if self.joined_hub:
            self.joined_hub = False
            await hub_leave(roundtable_id=self.roundtable_id, listener=self)
        groups, self.staff_groups = self.staff_groups, ()
        for group in groups:
            try:
                await self.channel_layer.group_discard(group, self.channel_name)
            except Exception:
                # Redis away: the membership expires with the layer's group expiry.
                logger.warning("could not leave a staff socket's group", exc_info=True)

    async def session_closed(self, message: dict) -> None:
        """The session this staff socket was opened with signed out, or its account's password changed:
        no command from it may count."""
        self.signed_out = True
        self.staff, self.participant_id = False, None
        await self._send_error(None, ServiceError("signed_out"))
        await self.close(code=CLOSE_SIGNED_OUT)

    # Sending ---------------------------------------------------------------------------------------------

    @functools.cached_property
    def send_text_now(self) -> Callable[[str], None] | None:
        """The server's way to send a text frame without an ASGI message, when it offers one (Daphne with
        roundtable/websocket_frames.py installed): a hand-out sends a frame to every connection of a room."""
        extension = (self.scope.get("extensions") or {}).get(SEND_TEXT_EXTENSION) or {}
        return extension.get("send_text")

    async def send(self, text_data=None, bytes_data=None, close=False) -> None:
        send_text = self.send_text_now
        if send_text is not None and text_data is not None and bytes_data is None and not close:
            send_text(text_data)
            return
        await super().send(text_data=text_data, bytes_data=bytes_data, close=close)

    # Events from the hub ----------------------------------------------------------------------------

    async def deliver(self, batch: Batch) -> None:
        if self.held is not None:
            self.held.append(batch)
            return
        if batch.last_seq <= self.seq:
            return
        if batch.first_seq > self.seq + 1:
            # Not expected (the hub hands out contiguous runs), but never skip a seq: read it back.
            self.held = [batch]
            if not await self._replay(self.seq):
                await self._send_snapshot()
            await self._release_held()
            return
        if batch.first_seq == self.seq + 1:
            text = batch.text_for(self.participant_id, staff=self.staff)
        else:
            text = events_frame_text(
                event.for_viewer(self.participant_id, staff=self.staff)
                for event in batch.events
                if event.seq > self.seq
            )
        await self.send(text_data=text)
        self.seq = batch.last_seq

    # Live presence (hub.py adds up every process's connections) -------------------------------------

    def presence_entry(self) -> list | None:
        if self.participant_id is None:
            return None
        editing = list(self.editing) if self.staff and self.editing else None
        return [self.participant_id, self.actor_type, self.role, self.focus, editing, self.display_name]

    async def send_presence(self, text: str) -> None:
        # Not before the snapshot: connect() sends the latest presence right after it.
        if self.held is None:
            await self.send(text_data=text)

    async def _release_held(self) -> None:
        held, self.held = self.held or [], None
        for batch in held:
            await self.deliver(batch)

    # Client frames ---------------------------------------------------------------------------------

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        try:
            await self._receive(text_data)
        except Exception:
            # A bug or an outage must not kill the socket (Daphne would close it with 1011 and never
            # run disconnect): the person is told to try again and the socket stays open.
            logger.exception("handling a frame failed")
            await self._send_error(self.frame_id, ServiceError("unavailable"), retryable=True)

    async def _receive(self, text_data: str | None) -> None:
        self.frame_id = None
        if self.signed_out:
            # Frames that were on their way while the socket closed.
            return
        if (wait := self.bucket.take()) > 0:
            await self._send_rate_limited(None, wait)
            return
        if text_data is None:
            await self._send_error(None, ServiceError("bad_frame"))
            return
        limit = (
            settings.ROUNDTABLE_MAX_STAFF_FRAME_BYTES if self.staff else settings.ROUNDTABLE_MAX_FRAME_BYTES
        )
        if len(text_data.encode("utf-8")) > limit:
            await self._send_error(None, ServiceError("frame_too_large"))
            return
        try:
            frame = frame_loads(text_data)
        except ValueError:
            await self._send_error(None, ServiceError("bad_frame"))
            return
        if not isinstance(frame, dict):
            await self._send_error(None, ServiceError("bad_frame"))
            return
        command_id = frame.get("id") if isinstance(frame.get("id"), str) and len(frame["id"]) <= 64 else None
        self.frame_id = command_id
        frame_type = frame.get("type")
        if frame_type == "resume":
            await self._receive_resume(frame, command_id)
            return
        if frame_type == "presence":
            await self._receive_presence(frame, command_id)
            return
        if frame_type == "ping":
            await self._receive_ping(frame, command_id)
            return
        command = COMMANDS.get(frame_type) if isinstance(frame_type, str) else None
        if command is None:
            await self._send_error(command_id, ServiceError("unknown_type"))
            return
        try:
            parsed = command.schema.model_validate(frame)
        except ValidationError as error:
            await self._send_invalid(command_id, error)
            return
        if self.participant_id is not None and (
            wait := await participant_rate_check(participant_id=self.participant_id, action=frame_type)
        ):
            await self._send_rate_limited(command_id, wait)
            return
        caller = Caller(roundtable_id=self.roundtable_id, participant_id=self.participant_id)
        if command.run_async is not None:
            # It waits on something outside (a translation server, for seconds at worst): answered when
            # it is done, while this socket goes on taking the person's votes and proposals.
            if len(self.waiting) >= MAX_WAITING_COMMANDS:
                await self._send_rate_limited(command_id, 1)
                return
            task = asyncio.create_task(self._run_waiting(command, parsed, caller, command_id, frame_type))
            self.waiting.add(task)
            task.add_done_callback(self.waiting.discard)
            return
        await self._run(command, parsed, caller, command_id, frame_type)

    async def _run_waiting(
        self, command, parsed, caller: Caller, command_id: str | None, frame_type: str
    ) -> None:
        # A task's failure would otherwise only reach the event loop's log, and the person would wait
        # for an answer that never comes.
        try:
            await self._run(command, parsed, caller, command_id, frame_type)
        except asyncio.CancelledError:
            raise
        except Exception:
            logger.exception("command %s failed", frame_type)
            await self._send_error(command_id, ServiceError("unavailable"), retryable=True)

    async def _run(self, command, parsed, caller: Caller, command_id: str | None, frame_type: str) -> None:
        try:
            if command.run_async is not None:
                outcome = await command.run_async(parsed, caller)
            elif command.run_batch is not None:
                outcome = await command_queued(
                    roundtable_id=self.roundtable_id, run_batch=command.run_batch, frame=parsed, caller=caller
                )
            else:
                outcome = await database_sync_to_async(command.run)(parsed, caller)
        except ServiceError as error:
            await self._send_error(command_id, error)
            return
        except DatabaseError:
            logger.exception("command %s failed on the database", frame_type)
            if self.participant_id is not None:
                await participant_rate_refund(participant_id=self.participant_id, action=frame_type)
            await self._send_error(command_id, ServiceError("unavailable"), retryable=True)
            return
        await self._send_frame(
            {"type": "ack", "id": command_id, "seq": outcome.seq, "result": outcome.result}
        )

    async def _receive_ping(self, frame: dict[str, Any], command_id: str | None) -> None:
        # Counted by the connection's frame bucket like any frame; no database, no hub.
        try:
            PingFrame.model_validate(frame)
        except ValidationError as error:
            await self._send_invalid(command_id, error)
            return
        await self._send_frame({"type": "pong", "id": command_id})

    async def _receive_presence(self, frame: dict[str, Any], command_id: str | None) -> None:
        try:
            parsed = PresenceFrame.model_validate(frame)
        except ValidationError as error:
            await self._send_invalid(command_id, error)
            return
        self.focus = parsed.question
        self.editing = (parsed.editing.question, parsed.editing.section) if parsed.editing else None

    async def _receive_resume(self, frame: dict[str, Any], command_id: str | None) -> None:
        try:
            parsed = ResumeFrame.model_validate(frame)
        except ValidationError as error:
            await self._send_invalid(command_id, error)
            return
        if parsed.seq > self.seq:
            await self._send_error(command_id, ServiceError("seq_invalid"))
            return
        # A client resumes after a gap, rarely; a socket or an address that keeps asking is flooding.
        if (wait := max(self.replay_bucket.take(), replays_by_address.take(self.address_of_client))) > 0:
            await self._send_rate_limited(command_id, wait)
            return
        self.held = []
        if not await self._replay(parsed.seq, resend=True):
            await self._send_snapshot(off_command_thread=True)
        await self._release_held()
        await self._send_frame({"type": "ack", "id": command_id, "seq": self.seq, "result": {}})

    # Sending -------------------------------------------------------------------------------------------

    async def _replay(self, since: int, *, resend: bool = False) -> bool:
        """Send the events after `since` as one frame; False when that is impossible (too many missing,
        or a seq this roundtable never reached) and a snapshot must be sent instead.

        With `resend`, events the client says it lost are sent again even if this connection sent them.
        From the hub's memory when it reaches back that far; else from the database, on the replay
        thread, never on the thread commands wait for."""
        if self.hub.seq - since > settings.ROUNDTABLE_REPLAY_LIMIT:
            return False
        events = self.hub.events_after(since)
        if events is None:
            events = await in_background(events_since, executor=READ_EXECUTOR)(
                roundtable_id=self.roundtable_id, seq=since
            )
        if events is None:
            return False
        fresh = [event for event in events if resend or event.seq > self.seq]
        if fresh:
            await self.send(
                text_data=events_frame_text(
                    e.for_viewer(self.participant_id, staff=self.staff) for e in fresh
                )
            )
        self.seq = max([self.seq, since, *(event.seq for event in events)])
        return True

    async def _send_snapshot(self, *, off_command_thread: bool = False) -> None:
        read = (
            in_background(roundtable_snapshot_for, executor=READ_EXECUTOR)
            if off_command_thread
            else database_sync_to_async(roundtable_snapshot_for)
        )
        snapshot = await read(roundtable_id=self.roundtable_id, participant_id=self.participant_id)
        await self.send(text_data=frame_dumps(snapshot))
        self.seq = snapshot["seq"]

    async def _send_frame(self, frame: dict[str, Any]) -> None:
        await self.send(text_data=frame_dumps(frame))

    async def _send_rate_limited(self, command_id: str | None, wait: float) -> None:
        seconds = max(1, math.ceil(wait))
        await self._send_error(
            command_id, ServiceError("rate_limited", seconds=seconds), retryable=True, retry_after=seconds
        )

    async def _send_invalid(self, command_id: str | None, error: ValidationError) -> None:
        fields = sorted({".".join(str(part) for part in e["loc"]) for e in error.errors()})
        await self._send_error(command_id, ServiceError("invalid"), fields=fields)

    async def _send_error(
        self,
        command_id: str | None,
        error: ServiceError,
        *,
        retryable: bool = False,
        fields: list[str] | None = None,
        retry_after: int | None = None,
    ) -> None:
        with translation.override(self.language):
            frame = {"type": "error", "id": command_id, "code": error.code, "message": error.message}
        if error.params:
            # What a client may act on: a limit to show, the draft version and text to resolve against.
            frame["details"] = error.params
        if retryable:
            frame["retryable"] = True
        if fields:
            frame["fields"] = fields
        if retry_after is not None:
            frame["retry_after"] = retry_after
        await self._send_frame(frame)

    # Helpers ---------------------------------------------------------------------------------------------

    def _pick_language(self, participant: Participant | None) -> str:
        """A participant's frames speak the language they joined in (and switch to). Staff pages and
        watchers' screens are rendered in the browser's language by LocaleMiddleware (the language
        cookie, then Accept-Language), so their frames follow the same rule: a French moderator's
        console gets French errors even though their seat was made in the roundtable's first language."""
        if participant is not None and not participant.is_staff:
            return participant.language
        available = {code for code, _name in settings.LANGUAGES}
        cookie = self.scope.get("cookies", {}).get(settings.LANGUAGE_COOKIE_NAME)
        if cookie in available:
            return cookie
        headers = dict(self.scope.get("headers") or [])
        accepted = headers.get(b"accept-language", b"").decode("latin-1")
        for code, _quality in parse_accept_lang_header(accepted):
            try:
                return get_supported_language_variant(code)
            except LookupError:
                continue
        return participant.language if participant is not None else settings.LANGUAGE_CODE

    def _query_value(self, name: str) -> str | None:
        values = parse_qs(self.scope.get("query_string", b"").decode("latin-1")).get(name)
        return values[0] if values else None

    def _query_since(self) -> tuple[int | None, bool]:
        """(the seq to replay from or None, whether what was given could be read)."""
        value = self._query_value("since")
        if value is None:
            return None, True
        if SINCE_PATTERN.fullmatch(value) is None or int(value) > MAX_SEQ:
            return None, False
        return int(value), True
