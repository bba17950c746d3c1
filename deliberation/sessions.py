"""Which participant a browser session is, per roundtable: shared by the join view and the socket."""

from typing import Any

from deliberation.models import Participant, Roundtable


def _key(roundtable: Roundtable) -> str:
    return f"roundtable:{roundtable.pk}:participant"


def session_participant_id(*, session: Any, roundtable: Roundtable) -> int | None:
    value = session.get(_key(roundtable))
    return value if isinstance(value, int) else None


def session_participant_remember(*, session: Any, participant: Participant) -> None:
    session[_key(participant.roundtable)] = participant.pk
