"""Staff sockets end with the browser session that opened them.

A moderator's or organizer's socket takes its rights from the signed-in session at connect. Each such
socket joins a channel-layer group named after its session, and one named after its account, so that
when the session signs out, or the account's password changes (which ends its other sessions), every one
of those staff sockets is told to close (in any process), instead of keeping rights nobody holds."""

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


def account_group(*, user_id: int) -> str:
    """The group of every staff socket of one account, whatever session opened it."""
    return f"account.{user_id}"


def account_sockets_close(*, user_id: int) -> None:
    """Tell every staff socket of this account, in every process, to close: after a password change or
    reset the account's other sessions are signed out, so the rights their sockets took are gone too.
    The session that changed it reconnects (its pages reload) with the rights it still has."""
    try:
        async_to_sync(get_channel_layer().group_send)(
            account_group(user_id=user_id), {"type": SESSION_CLOSED_MESSAGE_TYPE}
        )
    except Exception:
        logger.exception("could not tell an account's sockets to close")
