"""The merge preview: what the dialog shows before a merge is confirmed is what the merge then does
(votes moved, votes dropped, the survivor's tally after), over HTTP as the console asks for it."""

import pytest
from django.contrib.auth import get_user_model
from django.utils import translation

from deliberation.models import Role, Vote
from deliberation.selectors import proposal_tally
from deliberation.services.moderation import proposal_hide, proposal_merge
from tests.factories import ParticipantFactory, ProposalFactory, RoundtableFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def room(client):
    roundtable = RoundtableFactory()
    user = get_user_model().objects.create_user(
        username="mo", email="mo@example.org", password="x-Secret-123"
    )
    moderator = ParticipantFactory(roundtable=roundtable, role=Role.MODERATOR, user=user, display_name="Mo")
    people = [ParticipantFactory(roundtable=roundtable, display_name=f"P{n}") for n in range(7)]
    survivor = ProposalFactory(author=people[0], text="Presupuestos participativos", language="es")
    duplicate = ProposalFactory(
        author=people[1], text="Des budgets participatifs dans chaque quartier", language="fr"
    )
    # P2, P3 on both (P3 differently); P4, P5, P6 only on the duplicate; P0 only on the survivor.
    for person, proposal, choice in [
        (2, survivor, "agree"),
        (2, duplicate, "agree"),
        (3, survivor, "agree"),
        (3, duplicate, "disagree"),
        (4, duplicate, "agree"),
        (5, duplicate, "pass"),
        (6, duplicate, "disagree"),
        (0, survivor, "pass"),
    ]:
        Vote.objects.create(participant=people[person], proposal=proposal, choice=choice)
    client.force_login(user)
    return roundtable, moderator, survivor, duplicate


def url(roundtable, proposal, into):
    return f"/r/{roundtable.code}/moderate/merge-preview/?proposal={proposal}&into={into}"


def test_preview_numbers_are_what_the_merge_then_does(room, client):
    roundtable, moderator, survivor, duplicate = room

    answer = client.get(url(roundtable, duplicate.pk, survivor.pk))

    assert answer.status_code == 200
    preview = answer.json()
    assert preview["merged"]["text"] == "Des budgets participatifs dans chaque quartier"
    assert preview["survivor"]["text"] == "Presupuestos participativos"
    assert preview["merged"]["tally"] == {"agree": 2, "disagree": 2, "pass": 1}
    assert preview["survivor"]["tally"] == {"agree": 2, "disagree": 0, "pass": 1}
    assert (preview["votes_moved"], preview["votes_dropped"], preview["votes_dropped_differing"]) == (3, 2, 1)
    assert preview["rule"] == "survivor_vote_stands"

    proposal_merge(
        roundtable_id=roundtable.pk,
        participant_id=moderator.pk,
        proposal_id=duplicate.pk,
        into_id=survivor.pk,
    )

    assert proposal_tally(proposal_id=survivor.pk) == preview["survivor_after"]
    assert preview["survivor_after"] == {"agree": 3, "disagree": 1, "pass": 2}
    audit = roundtable.events.filter(kind="proposal.merged").get().staff["audit"]
    assert (audit["votes_moved"], audit["votes_dropped"]) == (
        preview["votes_moved"],
        preview["votes_dropped"],
    )
    assert not Vote.objects.filter(proposal=duplicate).exists()


def test_the_other_direction_gives_other_numbers_and_they_hold_too(room, client):
    roundtable, moderator, survivor, duplicate = room
    preview = client.get(url(roundtable, survivor.pk, duplicate.pk)).json()
    # Only P0's vote moves; P2 and P3 keep their votes on the duplicate, which now stays.
    assert (preview["votes_moved"], preview["votes_dropped"]) == (1, 2)
    proposal_merge(
        roundtable_id=roundtable.pk,
        participant_id=moderator.pk,
        proposal_id=survivor.pk,
        into_id=duplicate.pk,
    )
    assert proposal_tally(proposal_id=duplicate.pk) == preview["survivor_after"]


def test_sentences_say_the_rule_with_plurals_in_the_readers_language(room, client):
    roundtable, _, survivor, duplicate = room
    english = client.get(url(roundtable, duplicate.pk, survivor.pk)).json()["sentences"]
    assert english["moved"] == f"3 votes move from #{duplicate.pk} to #{survivor.pk}."
    assert english["dropped"].startswith("2 people voted on both")
    assert english["differing"].startswith("1 of them voted differently")
    client.cookies["django_language"] = "es"
    spanish = client.get(url(roundtable, duplicate.pk, survivor.pk), HTTP_ACCEPT_LANGUAGE="es").json()
    assert spanish["sentences"]["moved"] == f"3 votos pasan de la n.º {duplicate.pk} a la n.º {survivor.pk}."
    client.cookies["django_language"] = "fr"
    french = client.get(url(roundtable, duplicate.pk, survivor.pk), HTTP_ACCEPT_LANGUAGE="fr").json()
    assert french["sentences"]["moved"] == f"3 votes passent de la nº {duplicate.pk} à la nº {survivor.pk}."
    assert french["sentences"]["differing"].startswith(
        "1 d\N{RIGHT SINGLE QUOTATION MARK}entre elles a voté autrement"
    )


def test_preview_refuses_what_the_merge_would_refuse(room, client):
    roundtable, moderator, survivor, duplicate = room
    assert client.get(url(roundtable, survivor.pk, survivor.pk)).json()["error"]["code"] == "merge_invalid"
    assert client.get(url(roundtable, duplicate.pk, 10**9)).status_code == 404
    assert client.get(f"/r/{roundtable.code}/moderate/merge-preview/?proposal=x").status_code == 400
    proposal_hide(
        roundtable_id=roundtable.pk, participant_id=moderator.pk, proposal_id=survivor.pk, reason="Off topic"
    )
    refused = client.get(url(roundtable, duplicate.pk, survivor.pk))
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "proposal_status_conflict"
    with translation.override("en"):
        assert refused.json()["error"]["message"]


def test_only_staff_who_may_merge_see_a_preview(room, client):
    roundtable, _, survivor, duplicate = room
    client.logout()
    assert client.get(url(roundtable, duplicate.pk, survivor.pk)).status_code == 403
    # Another roundtable's moderator cannot read this one's proposals either.
    other = RoundtableFactory()
    user = get_user_model().objects.create_user(username="x", email="x@example.org", password="x-Secret-123")
    ParticipantFactory(roundtable=other, role=Role.MODERATOR, user=user)
    client.force_login(user)
    assert client.get(url(roundtable, duplicate.pk, survivor.pk)).status_code == 403
