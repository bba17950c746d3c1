"""Daphne's websocket protocol, framing each event frame once for every connection that gets it.

A hub hands the same text to every connection of a room (deliberation/realtime/hub.py). Daphne's
`serverSend` encodes and frames it again for each connection, and autobahn's `sendData` formats three
debug-log arguments with terminal colours for every frame it writes, whether or not debug is logged: in
a profile of 1,000 participants at 20 votes/s this was about a third of the Daphne process's time in
sending (docs/performance.md, "The fan-out's send path"). Autobahn's own `PreparedMessage` frames a
payload once to be sent on many connections ("optimizing Broadcast/PubSub", its documentation says);
this protocol keeps the last few prepared frames by text and writes them to the transport as
`sendData` does when nothing is queued ahead, without the log formatting.

Everything else falls back to Daphne's and autobahn's own path: binary frames, a socket not open, a
negotiated compression (Daphne does not offer it), fragmentation or size limits, or frames queued
ahead (a close or ping in progress), so order and the protocol's states stay autobahn's."""

import functools

from autobahn.websocket.protocol import PreparedMessage
from daphne.server import Server
from daphne.ws_protocol import WebSocketFactory, WebSocketProtocol
from twisted.internet import tcp

# The ASGI scope extension through which an application sends a text frame at once, without an ASGI
# message: {"send_text": callable(text)}. A hub's hand-out sends one frame to each of thousands of
# connections; going through the consumer's `send`, Daphne's `Server.handle_reply` and the protocol's
# `handle_reply` was three coroutine and method layers and a message dict per frame, about a third of
# the hand-out's Python time (docs/performance.md, "The hand-out's cost per connection").
SEND_TEXT_EXTENSION = "roundtable.send_text"

# A hand-out sends one shared text to most connections and a few personal ones (a voter's own
# events) in between: a handful of entries keeps the shared one. Strings cache their hash, so a
# lookup by the same object costs nothing after the first.
PREPARED_FRAMES_KEPT = 8


@functools.lru_cache(maxsize=PREPARED_FRAMES_KEPT)
def text_frame(text: str) -> bytes:
    """The server-to-client websocket frame (unmasked, one fragment) carrying this text."""
    return PreparedMessage(text.encode("utf8"), False, False, True).payloadHybi


class PreparedFramesWebSocketProtocol(WebSocketProtocol):
    def send_text(self, text: str) -> None:
        """Send a text frame now: what a `websocket.send` message with this text does through Daphne's
        `Server.handle_reply` and `handle_reply`, with the same checks, in the same order with respect to
        frames sent that way (both end in `serverSend`, synchronously)."""
        connection = self.server.connections.get(self)
        if connection is None or connection.get("disconnected", None):
            return
        if self.state == self.STATE_CONNECTING:
            raise ValueError("Socket has not been accepted, so cannot send over it")
        if text:
            self.serverSend(text, False)

    def serverSend(self, content, binary=False):
        limit = self.maxMessagePayloadSize
        if (
            binary
            or self.state != self.STATE_OPEN
            or self._perMessageCompress is not None
            or self.send_queue
            or self.send_state != self.SEND_STATE_GROUND
            or self.autoFragmentSize > 0
            or self.maskServerFrames
            or self.trackedTimings
            or self.logFrames
            or self.logOctets
            # Autobahn refuses a text over the limit, as it always did; UTF-8 is never shorter than the
            # text, so this is known before framing (and nothing that large is kept).
            or 0 < limit < len(content)
        ):
            return super().serverSend(content, binary)
        frame = text_frame(content)
        payload = len(frame) - _header_length(len(frame))
        if 0 < limit < payload:
            return super().serverSend(content, binary)
        self._write_now(frame)
        stats = self.trafficStats
        stats.outgoingWebSocketMessages += 1
        stats.outgoingWebSocketFrames += 1
        stats.outgoingOctetsAppLevel += payload
        stats.outgoingOctetsWebSocketLevel += payload
        stats.outgoingOctetsWireLevel += len(frame)

    def _write_now(self, frame: bytes) -> None:
        """Hand the frame to the socket at once when nothing waits in Twisted's buffer, as asyncio's own
        transports do; what the socket does not take goes to Twisted's buffer, in order.

        Twisted's `write` only appends to its buffer and registers the socket for writing; the reactor
        sends it on its next turn and unregisters it. With the asyncio reactor Daphne runs on, that is
        two changes to the event loop's selector per frame, and the most costly part of a hand-out
        after the framing itself (docs/performance.md, "The fan-out's send path")."""
        transport = self.transport
        if (
            # Only Twisted's own socket transports (tcp:, unix:, fd: endpoints). A wrapping transport (TLS
            # from an ssl: endpoint, haproxy:) forwards `socket` and the buffers of the TCP connection under
            # it, and its own write is not a plain append: writing to that socket would bypass it.
            not isinstance(transport, tcp.Connection)
            or transport.TLS
            or not transport.connected
            or transport.disconnecting
            or transport._aborting
            or transport._writeDisconnected
            or transport.dataBuffer
            or transport._tempDataBuffer
        ):
            transport.write(frame)
            return
        sock = transport.socket
        try:
            sent = sock.send(frame)
        except (BlockingIOError, InterruptedError):
            sent = 0
        except OSError:
            # A broken connection: Twisted's own write meets the same error and closes it its way.
            transport.write(frame)
            return
        if sent < len(frame):
            transport.write(frame[sent:])


def _header_length(frame_length: int) -> int:
    """The bytes of an unmasked frame's header, from the frame's whole length (RFC 6455, 5.2)."""
    if frame_length <= 2 + 125:
        return 2
    if frame_length <= 4 + 0xFFFF:
        return 4
    return 10


def daphne_prepared_frames_install() -> None:
    """Daphne builds its websocket factory itself (daphne.server.Server.run) and has no setting for the
    protocol class; the factory's `protocol` attribute is Twisted's way to choose it. Daphne builds each
    connection's scope in the protocol and hands it to `Server.create_application`, the one place where
    protocol and scope meet: there the scope gets the SEND_TEXT_EXTENSION of its protocol."""
    WebSocketFactory.protocol = PreparedFramesWebSocketProtocol
    if not getattr(Server.create_application, "offers_send_text", False):
        Server.create_application = _create_application_offering_send_text(Server.create_application)


def _create_application_offering_send_text(create_application):
    @functools.wraps(create_application)
    def offering_send_text(self, protocol, scope):
        if isinstance(protocol, PreparedFramesWebSocketProtocol) and scope.get("type") == "websocket":
            scope = {**scope, "extensions": {**(scope.get("extensions") or {})}}
            scope["extensions"][SEND_TEXT_EXTENSION] = {"send_text": protocol.send_text}
        return create_application(self, protocol, scope)

    offering_send_text.offers_send_text = True
    return offering_send_text
