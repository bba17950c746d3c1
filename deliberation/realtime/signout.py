"""Staff sockets end with the browser session that opened them.

A moderator's or organizer's socket takes its rights from the signed-in session at connect. Each such
socket joins a channel-layer group named after its session, so that when the session signs out (in any
process) every one of its staff sockets is told to close, instead of keeping rights nobody holds."""

import hashlib
import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

logger = logging.getLogger(__name__)

SESSION_CLOSED_MESSAGE_TYPE = "session.closed"


def session_group(*, session_key: str) -> str:
    """The group of a session's staff sockets: a digest, so the session key never travels as a name."""
    return "session." + hashlib.sha256(session_key.encode()).hexdigest()[:40]


def session_sockets_close(*, session_key: str) -> None:
    """Tell every staff socket of this session, in every process, to close (from a sync view)."""
    try:
        async_to_sync(get_channel_layer().group_send)(
            session_group(session_key=session_key), {"type": SESSION_CLOSED_MESSAGE_TYPE}
        )
    except Exception:
        # Signing out must work even with the channel layer away (the sockets then last until they drop).
        logger.exception("could not tell a signed-out session's sockets to close")
