"""Who may do what: one table of actions against roles. Every service asks it; tests walk all of it."""

from enum import StrEnum

from deliberation.errors import ServiceError
from deliberation.models import Participant, Role


class Action(StrEnum):
    PROPOSAL_SUBMIT = "proposal.submit"
    VOTE_CAST = "vote.cast"


EVERYONE_IN_THE_ROOM = frozenset({Role.PARTICIPANT, Role.MODERATOR, Role.ORGANIZER})

PERMISSIONS: dict[Action, frozenset[str]] = {
    Action.PROPOSAL_SUBMIT: EVERYONE_IN_THE_ROOM,
    Action.VOTE_CAST: EVERYONE_IN_THE_ROOM,
}


def policy_allows(*, role: str, action: Action) -> bool:
    return role in PERMISSIONS[action]


def policy_require(*, participant: Participant | None, action: Action) -> Participant:
    if participant is None:
        raise ServiceError("not_joined")
    if not policy_allows(role=participant.role, action=action):
        raise ServiceError("forbidden")
    return participant
