"""Walk the whole permission table end to end: every action against every role and against nobody, live
commands through the real websocket protocol and pages through HTTP, so that a participant can never do
a moderator's action (and a moderator never an organizer's)."""

import datetime

import pytest
from channels.db import database_sync_to_async
from django.contrib.auth import get_user_model
from django.utils import timezone

from deliberation.models import (
    Commitment,
    DraftRevision,
    Proposal,
    ProposalStatus,
    Role,
    RunOfShow,
    RunStep,
    Statement,
    Theme,
)
from deliberation.policy import PERMISSIONS, Action
from deliberation.sessions import session_participant_remember
from deliberation.texts import text_fingerprint
from tests.factories import ParticipantFactory, ProposalFactory, RoundtableFactory
from tests.support.ws import connect

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]

ROLES = [*Role.values, None]


# The run of show each command needs to take effect: planned (start), running at the first step (pause,
# extend, skip), paused (resume), running at the second step (back).
RUN_OF_SHOW_STATES = {
    Action.RUN_OF_SHOW_PAUSE: ("running", 0),
    Action.RUN_OF_SHOW_EXTEND: ("running", 0),
    Action.RUN_OF_SHOW_SKIP: ("running", 0),
    Action.RUN_OF_SHOW_RESUME: ("paused", 0),
    Action.RUN_OF_SHOW_BACK: ("running", 1),
}


def _run_of_show(roundtable, action) -> None:
    show = RunOfShow.objects.create(roundtable=roundtable)
    first = roundtable.questions.get(order=1)
    for position, phase in enumerate(("collecting", "voting", "locked")):
        RunStep.objects.create(
            show=show, position=position, kind="phase", question=first, phase=phase, planned_seconds=600
        )
    state, current = RUN_OF_SHOW_STATES.get(action, ("planned", None))
    now = timezone.now()
    if state == "running":
        RunOfShow.objects.filter(pk=show.pk).update(
            state=state, current=current, started_at=now, step_ends_at=now + datetime.timedelta(minutes=10)
        )
    elif state == "paused":
        RunOfShow.objects.filter(pk=show.pk).update(
            state=state, current=current, started_at=now, paused_remaining=300, paused_at=now
        )
    RunStep.objects.filter(show=show, position__lte=current if current is not None else -1).update(
        started_at=now
    )


def build_scene(role: str | None, action: Action | None = None):
    """A roundtable where every action would succeed for someone allowed to do it."""
    roundtable = RoundtableFactory()
    author = ParticipantFactory(roundtable=roundtable)
    scene = {
        "roundtable": roundtable,
        "first": roundtable.questions.get(order=1).pk,
        "second": roundtable.questions.get(order=2).pk,
        "visible": ProposalFactory(author=author).pk,
        "duplicate": ProposalFactory(author=author).pk,
        "pending": ProposalFactory(author=author, status=ProposalStatus.PENDING).pk,
        "hidden": ProposalFactory(author=author, status=ProposalStatus.HIDDEN, hidden_reason="x").pk,
        "other": ProposalFactory(author=author).pk,
        "actor": None,
    }
    # Two themes to curate: 1 holds `visible` and `duplicate`, 2 holds `other`.
    first = roundtable.questions.get(order=1)
    one, two = Theme.objects.create(question=first, number=1), Theme.objects.create(question=first, number=2)
    Proposal.objects.filter(pk__in=[scene["visible"], scene["duplicate"]]).update(theme=one)
    Proposal.objects.filter(pk=scene["other"]).update(theme=two)
    # A machine translation of the check and of the conclusions, for a moderator to review.
    machine = {"of": text_fingerprint("We agree"), "text": "D'accord", "machine": True, "author": None}
    scene["statement"] = Statement.objects.create(
        question=first,
        number=1,
        text="We agree",
        language="en",
        translations={"fr": {**machine, "at": None, "reviewed_by": None, "reviewed_at": None}},
    ).pk
    DraftRevision.objects.create(question=first, language="en", version=1, text="Agreed")
    DraftRevision.objects.create(
        question=first,
        language="es",
        version=1,
        text="De acuerdo",
        machine=True,
        source_language="en",
        source_version=1,
    )
    scene["commitment"] = Commitment.objects.create(question=first, what="A fund", organisation="CONGOPE").pk
    _run_of_show(roundtable, action)
    if role is not None:
        user = None
        if role != Role.PARTICIPANT:
            user = get_user_model().objects.create_user(username=f"{role}-user", email=f"{role}@example.org")
        scene["actor"] = ParticipantFactory(roundtable=roundtable, role=role, user=user)
    return scene


LIVE_COMMANDS = {
    Action.PROPOSAL_SUBMIT: lambda s: ("proposal.submit", {"question": s["first"], "text": "A proposal"}),
    Action.VOTE_CAST: lambda s: ("vote.cast", {"proposal": s["visible"], "choice": "agree"}),
    Action.PROPOSAL_FLAG: lambda s: ("proposal.flag", {"proposal": s["visible"]}),
    Action.QUESTION_PHASE: lambda s: ("question.phase", {"question": s["first"], "state": "voting"}),
    Action.QUESTION_SETTINGS: lambda s: ("question.settings", {"question": s["first"], "anonymous": True}),
    Action.ROUNDTABLE_SHOW_QUESTION: lambda s: ("roundtable.show_question", {"question": s["second"]}),
    Action.PROPOSAL_APPROVE: lambda s: ("proposal.approve", {"proposal": s["pending"]}),
    Action.PROPOSAL_HIDE: lambda s: ("proposal.hide", {"proposal": s["visible"], "reason": "Off topic"}),
    Action.PROPOSAL_RESTORE: lambda s: ("proposal.restore", {"proposal": s["hidden"]}),
    Action.PROPOSAL_EDIT: lambda s: ("proposal.edit", {"proposal": s["visible"], "text": "Fixed typo"}),
    Action.PROPOSAL_PIN: lambda s: ("proposal.pin", {"proposal": s["visible"], "pinned": True}),
    Action.PROPOSAL_MERGE: lambda s: ("proposal.merge", {"proposal": s["duplicate"], "into": s["visible"]}),
    Action.THEME_RENAME: lambda s: ("theme.rename", {"question": s["first"], "theme": 1, "name": "Money"}),
    Action.THEME_LOCK: lambda s: ("theme.lock", {"question": s["first"], "theme": 1, "locked": True}),
    Action.THEME_MERGE: lambda s: ("theme.merge", {"question": s["first"], "theme": 2, "into": 1}),
    Action.THEME_SPLIT: lambda s: (
        "theme.split",
        {"question": s["first"], "theme": 1, "proposals": [s["visible"]]},
    ),
    Action.PROPOSAL_MOVE: lambda s: ("proposal.move", {"proposal": s["other"], "theme": 1}),
    Action.DRAFT_SAVE: lambda s: (
        "draft.save",
        {"question": s["first"], "base_version": 0, "text": "Brouillon", "language": "fr"},
    ),
    Action.COMMITMENT_ADD: lambda s: (
        "commitment.add",
        {"question": s["first"], "what": "Report yearly", "organisation": "CONGOPE"},
    ),
    Action.DRAFT_REVIEW: lambda s: ("draft.review", {"question": s["first"], "language": "es", "version": 1}),
    Action.DRAFT_RETRANSLATE: lambda s: ("draft.retranslate", {"question": s["first"], "language": "es"}),
    Action.TRANSLATION_SAVE: lambda s: (
        "translation.save",
        {"kind": "commitment", "item": s["commitment"], "language": "es", "text": "Un fondo"},
    ),
    Action.TRANSLATION_REVIEW: lambda s: (
        "translation.review",
        {"kind": "statement", "item": s["statement"], "language": "fr"},
    ),
    Action.COMMITMENT_REMOVE: lambda s: ("commitment.remove", {"commitment": s["commitment"]}),
    Action.STATEMENT_PUT: lambda s: ("statement.put", {"question": s["first"], "text": "A fund, yes"}),
    Action.STATEMENT_RESPOND: lambda s: (
        "statement.respond",
        {"statement": s["statement"], "choice": "agree"},
    ),
    Action.STATEMENT_CLOSE: lambda s: ("statement.close", {"statement": s["statement"]}),
    Action.PROPOSAL_TRANSLATE: lambda s: ("proposal.translate", {"proposal": s["visible"], "language": "es"}),
    Action.STATEMENT_TRANSLATE: lambda s: (
        "statement.translate",
        {"statement": s["statement"], "language": "fr"},
    ),
    Action.VOTE_ORDER: lambda s: ("vote.order", {"question": s["first"]}),
    Action.RUN_OF_SHOW_START: lambda s: ("run_of_show.start", {}),
    Action.RUN_OF_SHOW_PAUSE: lambda s: ("run_of_show.pause", {}),
    Action.RUN_OF_SHOW_RESUME: lambda s: ("run_of_show.resume", {}),
    Action.RUN_OF_SHOW_EXTEND: lambda s: ("run_of_show.extend", {"seconds": 60}),
    Action.RUN_OF_SHOW_SKIP: lambda s: ("run_of_show.skip", {}),
    Action.RUN_OF_SHOW_BACK: lambda s: ("run_of_show.back", {}),
}
# Commands that read (they answer, and write no event): what each answer must hold.
READS = {Action.PROPOSAL_TRANSLATE: "text", Action.STATEMENT_TRANSLATE: "text", Action.VOTE_ORDER: "order"}

# Each page: (method, path under /r/<code>/, form data, the status an allowed person gets).
PAGES = {
    Action.OWN_DATA: ("get", "privacy/data.json", None, 200),
    Action.MODERATION_CONSOLE: ("get", "moderate/", None, 200),
    Action.STAFF_INVITE: (
        "post",
        "organize/invite/",
        {"email": "new-mod@example.org", "role": "moderator"},
        302,
    ),
    Action.REGISTRATION_MANAGE: (
        "post",
        "organize/registration/",
        {"step": "add", "email": "p@example.org"},
        302,
    ),
    Action.AUDIT_READ: ("get", "organize/audit.csv", None, 200),
    Action.ROUNDTABLE_CONFIGURE: (
        "post",
        "organize/settings/",
        {"capacity": "200", "flag_threshold": "5"},
        302,
    ),
    Action.DOCUMENT_REVIEW: ("get", "document/", None, 200),
    Action.RUN_OF_SHOW_PLAN: ("post", "organize/run-of-show/", {"step": "default"}, 302),
    Action.DOCUMENT_PUBLISH: (
        "post",
        "document/publish/",
        {"slug": "", "organizers": "A", "note": "", "confirmed": "yes"},
        302,
    ),
}


def test_every_action_of_the_table_is_walked_here():
    assert set(LIVE_COMMANDS) | set(PAGES) == set(Action)
    assert not set(LIVE_COMMANDS) & set(PAGES)


@pytest.mark.parametrize("action", list(LIVE_COMMANDS))
@pytest.mark.parametrize("role", ROLES)
async def test_each_role_may_send_exactly_the_commands_the_table_allows(action, role, translator):
    scene = await database_sync_to_async(build_scene)(role, action)
    client, _ = await connect(scene["roundtable"], scene["actor"])
    type_, fields = LIVE_COMMANDS[action](scene)

    reply = await client.command(type_, **fields)

    if role is not None and role in PERMISSIONS[action]:
        assert reply["type"] == "ack", reply
        if action in READS:
            assert reply["result"][READS[action]], "an allowed read must answer"
        else:
            assert reply["seq"] is not None, "an allowed command must take effect"
    else:
        assert (reply["type"], reply["code"]) == ("error", "not_joined" if role is None else "forbidden")
    await client.close()


@pytest.mark.parametrize("action", list(PAGES))
@pytest.mark.parametrize("role", ROLES)
def test_each_role_may_open_exactly_the_pages_the_table_allows(client, action, role):
    scene = build_scene(role)
    actor = scene["actor"]
    if actor is not None and actor.user is not None:
        client.force_login(actor.user)
    elif actor is not None:
        session = client.session
        session_participant_remember(session=session, participant=actor)
        session.save()
    method, path, data, ok_status = PAGES[action]

    response = getattr(client, method)(f"/r/{scene['roundtable'].code}/{path}", data or {})

    if role is not None and role in PERMISSIONS[action]:
        assert response.status_code == ok_status, response.content[:300]
        if ok_status == 302 and action == Action.DOCUMENT_PUBLISH:
            assert response["Location"] == f"/p/{scene['roundtable'].code.lower()}/v1/", "to the new version"
        elif ok_status == 302:
            assert response["Location"] == f"/r/{scene['roundtable'].code}/organize/", (
                "done, back to the page"
            )
    elif role is None and action == Action.OWN_DATA:
        assert response["Location"] == f"/r/{scene['roundtable'].code}/", "a stranger is sent to join"
    elif role is None or actor.user is None:
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    else:
        assert response.status_code == 403
        assert "Not allowed" in response.content.decode()


def test_the_table_keeps_participants_to_taking_part_and_moderators_out_of_organizing():
    """The walk above proves the table is enforced; this pins what the table says."""
    by_role = {
        role: {action for action, roles in PERMISSIONS.items() if role in roles} for role in Role.values
    }
    assert by_role[Role.PARTICIPANT] == {
        Action.PROPOSAL_SUBMIT,
        Action.VOTE_CAST,
        Action.PROPOSAL_FLAG,
        Action.OWN_DATA,
        Action.STATEMENT_RESPOND,
        Action.PROPOSAL_TRANSLATE,
        Action.STATEMENT_TRANSLATE,
        Action.VOTE_ORDER,
    }
    assert by_role[Role.MODERATOR] == set(Action) - {
        Action.PROPOSAL_FLAG,
        Action.OWN_DATA,
        Action.STATEMENT_RESPOND,
        Action.STAFF_INVITE,
        Action.ROUNDTABLE_CONFIGURE,
        Action.REGISTRATION_MANAGE,
        Action.AUDIT_READ,
        Action.DOCUMENT_PUBLISH,
        Action.RUN_OF_SHOW_PLAN,
    }
    assert by_role[Role.ORGANIZER] == by_role[Role.MODERATOR] | {
        Action.STAFF_INVITE,
        Action.ROUNDTABLE_CONFIGURE,
        Action.REGISTRATION_MANAGE,
        Action.AUDIT_READ,
        Action.DOCUMENT_PUBLISH,
        Action.RUN_OF_SHOW_PLAN,
    }
