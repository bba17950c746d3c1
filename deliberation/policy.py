"""Who may do what: one table of actions against roles. Every service asks it; tests walk all of it."""

from enum import StrEnum

from deliberation.errors import ServiceError
from deliberation.models import Participant, Role


class Action(StrEnum):
    # Live commands (the websocket protocol, docs/protocol.md).
    PROPOSAL_SUBMIT = "proposal.submit"
    VOTE_CAST = "vote.cast"
    PROPOSAL_FLAG = "proposal.flag"
    QUESTION_PHASE = "question.phase"
    QUESTION_SETTINGS = "question.settings"
    ROUNDTABLE_SHOW_QUESTION = "roundtable.show_question"
    PROPOSAL_APPROVE = "proposal.approve"
    PROPOSAL_HIDE = "proposal.hide"
    PROPOSAL_RESTORE = "proposal.restore"
    PROPOSAL_EDIT = "proposal.edit"
    PROPOSAL_PIN = "proposal.pin"
    PROPOSAL_MERGE = "proposal.merge"
    THEME_RENAME = "theme.rename"
    THEME_LOCK = "theme.lock"
    THEME_MERGE = "theme.merge"
    THEME_SPLIT = "theme.split"
    PROPOSAL_MOVE = "proposal.move"
    DRAFT_SAVE = "draft.save"
    DRAFT_REVIEW = "draft.review"
    DRAFT_RETRANSLATE = "draft.retranslate"
    # A commitment's or room check's text in another language: written by hand, or a machine's reviewed.
    TRANSLATION_SAVE = "translation.save"
    TRANSLATION_REVIEW = "translation.review"
    COMMITMENT_ADD = "commitment.add"
    COMMITMENT_REMOVE = "commitment.remove"
    STATEMENT_PUT = "statement.put"
    STATEMENT_RESPOND = "statement.respond"
    STATEMENT_CLOSE = "statement.close"
    PROPOSAL_TRANSLATE = "proposal.translate"
    STATEMENT_TRANSLATE = "statement.translate"
    # The run of show (services/run_of_show.py): the moderator's hand on the session's clock.
    RUN_OF_SHOW_START = "run_of_show.start"
    RUN_OF_SHOW_PAUSE = "run_of_show.pause"
    RUN_OF_SHOW_RESUME = "run_of_show.resume"
    RUN_OF_SHOW_EXTEND = "run_of_show.extend"
    RUN_OF_SHOW_SKIP = "run_of_show.skip"
    RUN_OF_SHOW_BACK = "run_of_show.back"
    # The order of the "next proposal to vote on" card (a read: deliberation/vote_order.py).
    VOTE_ORDER = "vote.order"
    # Pages (HTTP).
    OWN_DATA = "own.data"
    MODERATION_CONSOLE = "moderation.console"
    STAFF_INVITE = "staff.invite"
    ROUNDTABLE_CONFIGURE = "roundtable.configure"
    REGISTRATION_MANAGE = "registration.manage"
    AUDIT_READ = "audit.read"
    DOCUMENT_REVIEW = "document.review"
    DOCUMENT_PUBLISH = "document.publish"
    RUN_OF_SHOW_PLAN = "run_of_show.plan"


EVERYONE_IN_THE_ROOM = frozenset({Role.PARTICIPANT, Role.MODERATOR, Role.ORGANIZER})
STAFF = frozenset({Role.MODERATOR, Role.ORGANIZER})
ORGANIZERS = frozenset({Role.ORGANIZER})

PERMISSIONS: dict[Action, frozenset[str]] = {
    Action.PROPOSAL_SUBMIT: EVERYONE_IN_THE_ROOM,
    Action.VOTE_CAST: EVERYONE_IN_THE_ROOM,
    # Staff act on a proposal directly; flags are how participants ask them to.
    Action.PROPOSAL_FLAG: frozenset({Role.PARTICIPANT}),
    Action.QUESTION_PHASE: STAFF,
    Action.QUESTION_SETTINGS: STAFF,
    Action.ROUNDTABLE_SHOW_QUESTION: STAFF,
    Action.PROPOSAL_APPROVE: STAFF,
    Action.PROPOSAL_HIDE: STAFF,
    Action.PROPOSAL_RESTORE: STAFF,
    Action.PROPOSAL_EDIT: STAFF,
    Action.PROPOSAL_PIN: STAFF,
    Action.PROPOSAL_MERGE: STAFF,
    Action.THEME_RENAME: STAFF,
    Action.THEME_LOCK: STAFF,
    Action.THEME_MERGE: STAFF,
    Action.THEME_SPLIT: STAFF,
    Action.PROPOSAL_MOVE: STAFF,
    Action.DRAFT_SAVE: STAFF,
    Action.DRAFT_REVIEW: STAFF,
    Action.DRAFT_RETRANSLATE: STAFF,
    Action.TRANSLATION_SAVE: STAFF,
    Action.TRANSLATION_REVIEW: STAFF,
    Action.COMMITMENT_ADD: STAFF,
    Action.COMMITMENT_REMOVE: STAFF,
    Action.STATEMENT_PUT: STAFF,
    # The room checks a conclusion: the participants, as they vote on proposals.
    Action.STATEMENT_RESPOND: frozenset({Role.PARTICIPANT}),
    Action.STATEMENT_CLOSE: STAFF,
    # Reading a proposal in one's own language (a read: it changes nothing anyone else sees).
    Action.PROPOSAL_TRANSLATE: EVERYONE_IN_THE_ROOM,
    Action.STATEMENT_TRANSLATE: EVERYONE_IN_THE_ROOM,
    Action.RUN_OF_SHOW_START: STAFF,
    Action.RUN_OF_SHOW_PAUSE: STAFF,
    Action.RUN_OF_SHOW_RESUME: STAFF,
    Action.RUN_OF_SHOW_EXTEND: STAFF,
    Action.RUN_OF_SHOW_SKIP: STAFF,
    Action.RUN_OF_SHOW_BACK: STAFF,
    # Whoever may vote may ask which proposal to vote on next.
    Action.VOTE_ORDER: EVERYONE_IN_THE_ROOM,
    # Download, anonymise or erase one's own contributions (staff act under their account's name).
    Action.OWN_DATA: frozenset({Role.PARTICIPANT}),
    Action.MODERATION_CONSOLE: STAFF,
    Action.STAFF_INVITE: ORGANIZERS,
    Action.ROUNDTABLE_CONFIGURE: ORGANIZERS,
    Action.REGISTRATION_MANAGE: ORGANIZERS,
    Action.AUDIT_READ: ORGANIZERS,
    Action.DOCUMENT_REVIEW: STAFF,
    Action.DOCUMENT_PUBLISH: ORGANIZERS,
    # The plan is the organizer's (its page section); moderators steer it once it runs.
    Action.RUN_OF_SHOW_PLAN: ORGANIZERS,
}


def policy_allows(*, role: str | None, action: Action) -> bool:
    return role is not None and role in PERMISSIONS[action]


def policy_require(*, participant: Participant | None, action: Action) -> Participant:
    if participant is None:
        raise ServiceError("not_joined")
    if not policy_allows(role=participant.role, action=action):
        raise ServiceError("forbidden")
    return participant
