"""Which participant a browser session is, per roundtable: shared by the HTTP views and the socket."""

from importlib import import_module
from types import SimpleNamespace
from typing import Any

from django.conf import settings
from django.contrib import auth

from deliberation.models import Participant, Roundtable
from deliberation.selectors import participant_get, staff_seat

SessionStore = import_module(settings.SESSION_ENGINE).SessionStore


def _key(roundtable: Roundtable) -> str:
    return f"roundtable:{roundtable.pk}:participant"


def session_participant(*, session: Any, roundtable: Roundtable) -> Participant | None:
    """Who this session is in `roundtable`: the account's moderator or organizer seat if it is signed
    in and has one, else the participant it joined as, if it did and they still exist."""
    if session is None:
        return None
    user = session_user(session=session)
    if user is not None and (staff := staff_seat(roundtable=roundtable, user=user)) is not None:
        return staff
    value = session.get(_key(roundtable))
    return participant_get(roundtable=roundtable, participant_id=value if isinstance(value, int) else None)


def session_user(*, session: Any) -> Any:
    """The signed-in account of a session, checked as Django checks it (session hash included)."""
    user = auth.get_user(SimpleNamespace(session=session))
    return user if user.is_authenticated else None


def session_for_key(session_key: str | None) -> Any:
    """The session a cookie names (the socket has no session middleware; see docs/architecture.md)."""
    return SessionStore(session_key) if session_key else None


def session_participant_remember(*, session: Any, participant: Participant) -> None:
    session[_key(participant.roundtable)] = participant.pk


def session_participant_forget(*, session: Any, roundtable: Roundtable) -> None:
    session.pop(_key(roundtable), None)
