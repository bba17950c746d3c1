"""Which participant a browser session is, per roundtable: shared by the HTTP views and the socket."""

from importlib import import_module
from typing import Any

from django.conf import settings

from deliberation.models import Participant, Roundtable
from deliberation.selectors import participant_get

SessionStore = import_module(settings.SESSION_ENGINE).SessionStore


def _key(roundtable: Roundtable) -> str:
    return f"roundtable:{roundtable.pk}:participant"


def session_participant(*, session: Any, roundtable: Roundtable) -> Participant | None:
    """The participant this session joined `roundtable` as, if it did and they still exist."""
    value = session.get(_key(roundtable)) if session is not None else None
    return participant_get(roundtable=roundtable, participant_id=value if isinstance(value, int) else None)


def session_for_key(session_key: str | None) -> Any:
    """The session a cookie names (the socket has no session middleware; see docs/architecture.md)."""
    return SessionStore(session_key) if session_key else None


def session_participant_remember(*, session: Any, participant: Participant) -> None:
    session[_key(participant.roundtable)] = participant.pk
