"""Events applied to an old snapshot must equal a freshly read snapshot, for every action and for every
kind of viewer (the actor, someone else, an anonymous watcher). Zulip's test_events.py, for us."""

import pytest

from deliberation.models import ProposalStatus
from deliberation.selectors import roundtable_snapshot
from deliberation.services.participants import participant_join
from deliberation.services.proposals import proposal_submit
from deliberation.services.votes import vote_cast
from tests.factories import ParticipantFactory, ProposalFactory, RoundtableFactory
from tests.support.state import events_seen_by, state_apply_event, state_from_snapshot

pytestmark = pytest.mark.django_db(transaction=True)


def check_events_match_fresh_snapshot(roundtable, viewers, action):
    before = {
        key: roundtable_snapshot(roundtable=roundtable, viewer=viewer) for key, viewer in viewers.items()
    }
    action()
    roundtable.refresh_from_db()
    for key, viewer in viewers.items():
        state = state_from_snapshot(before[key])
        frames = events_seen_by(
            roundtable_id=roundtable.pk, seq=before[key]["seq"], viewer_id=viewer.pk if viewer else None
        )
        assert frames, f"{action.__name__} wrote no event"
        for frame in frames:
            state_apply_event(state, frame)
        fresh = state_from_snapshot(roundtable_snapshot(roundtable=roundtable, viewer=viewer))
        assert state == fresh, f"{action.__name__} as seen by {key}"


@pytest.fixture
def scene():
    roundtable = RoundtableFactory()
    ana = ParticipantFactory(roundtable=roundtable, display_name="Ana", actor_type="government-local")
    ben = ParticipantFactory(roundtable=roundtable, display_name="Ben", actor_type="academia-research")
    proposal = ProposalFactory(author=ana, text="Open budgets")
    ProposalFactory(author=ben, status=ProposalStatus.HIDDEN)
    viewers = {"ana": ana, "ben": ben, "anonymous": None}
    return roundtable, ana, ben, proposal, viewers


def test_submitting_a_proposal(scene):
    roundtable, ana, _ben, _proposal, viewers = scene
    question = roundtable.questions.get(order=1)

    def submit_proposal():
        proposal_submit(
            roundtable_id=roundtable.pk, participant_id=ana.pk, question_id=question.pk, text="New"
        )

    check_events_match_fresh_snapshot(roundtable, viewers, submit_proposal)


def test_casting_and_changing_votes(scene):
    roundtable, ana, ben, proposal, viewers = scene

    def cast_votes():
        vote_cast(roundtable_id=roundtable.pk, participant_id=ben.pk, proposal_id=proposal.pk, choice="agree")
        vote_cast(roundtable_id=roundtable.pk, participant_id=ana.pk, proposal_id=proposal.pk, choice="pass")
        vote_cast(
            roundtable_id=roundtable.pk, participant_id=ben.pk, proposal_id=proposal.pk, choice="disagree"
        )

    check_events_match_fresh_snapshot(roundtable, viewers, cast_votes)


def test_someone_joining(scene):
    roundtable, _ana, _ben, _proposal, viewers = scene

    def join():
        participant_join(roundtable=roundtable, display_name="Chloé", actor_type="sme", language="fr")

    check_events_match_fresh_snapshot(roundtable, viewers, join)


def test_a_mixed_sequence_replayed_twice_is_still_right(scene):
    """Events carry absolute values, so a snapshot that already includes some of them is harmless."""
    roundtable, ana, ben, proposal, _viewers = scene
    old = roundtable_snapshot(roundtable=roundtable, viewer=ana)
    question = roundtable.questions.get(order=1)
    proposal_submit(roundtable_id=roundtable.pk, participant_id=ben.pk, question_id=question.pk, text="Mine")
    vote_cast(roundtable_id=roundtable.pk, participant_id=ana.pk, proposal_id=proposal.pk, choice="agree")
    newer = roundtable_snapshot(roundtable=roundtable, viewer=ana)

    state = state_from_snapshot(newer)
    for frame in events_seen_by(roundtable_id=roundtable.pk, seq=old["seq"], viewer_id=ana.pk):
        state_apply_event(state, frame)

    assert state == state_from_snapshot(newer)
