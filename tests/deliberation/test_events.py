"""Events applied to an old snapshot must equal a freshly read snapshot, for every action and for every
kind of viewer (the actor, someone else, an anonymous watcher). Zulip's test_events.py, for us."""

import pytest

from deliberation.selectors import roundtable_snapshot
from tests.support.scenes import ACTIONS, scene_build, scene_record
from tests.support.state import events_seen_by, state_apply_event, state_from_snapshot

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("action", ACTIONS, ids=[action.__name__ for action in ACTIONS])
def test_events_applied_to_an_old_snapshot_equal_a_fresh_one(action):
    for seen in scene_record(scene_build(), action):
        assert seen["events"], f"{action.__name__} wrote no event"
        state = state_from_snapshot(seen["before"])
        for event in seen["events"]:
            state_apply_event(state, event)
        assert state == state_from_snapshot(seen["after"]), f"{action.__name__} as seen by {seen['viewer']}"


def test_events_a_snapshot_already_includes_are_harmless_to_apply_again():
    """Events carry absolute values, so a snapshot that already includes some of them is harmless."""
    scene = scene_build()
    old = roundtable_snapshot(roundtable=scene.roundtable, viewer=scene.ana)
    scene.submit(scene.ben, "Mine")
    scene.vote(scene.ana, scene.proposal.pk, "agree")
    newer = roundtable_snapshot(roundtable=scene.roundtable, viewer=scene.ana)

    state = state_from_snapshot(newer)
    for event in events_seen_by(roundtable_id=scene.roundtable.pk, seq=old["seq"], viewer_id=scene.ana.pk):
        state_apply_event(state, event)

    assert state == state_from_snapshot(newer)
