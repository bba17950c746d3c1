"""The browser's reducer (frontend/js/state.js) must turn a snapshot plus events into exactly the state a
fresh snapshot gives, like the Python reference reducer does in tests/deliberation/test_events.py."""

import json
from pathlib import Path

import pytest

from deliberation.selectors import roundtable_snapshot
from deliberation.services.participants import participant_join
from deliberation.services.proposals import proposal_submit
from deliberation.services.votes import vote_cast
from tests.browser.conftest import launch_chromium
from tests.factories import ParticipantFactory, ProposalFactory, RoundtableFactory
from tests.support.state import events_seen_by

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

STATE_JS = Path(__file__).resolve().parents[2] / "frontend" / "js" / "state.js"

REPLAY_IN_BROWSER = """
async ({before, frames, after}) => {
  const {fromSnapshot, applyEvent} = await import("/js/state.js");
  const plain = (state) => JSON.parse(JSON.stringify({
    ...state,
    questions: Object.fromEntries(state.questions),
    proposals: Object.fromEntries(state.proposals),
  }));
  const state = fromSnapshot(before);
  for (const frame of frames) applyEvent(state, frame);
  return {replayed: plain(state), fresh: plain(fromSnapshot(after))};
}
"""


def record_scenario():
    """Several actions, seen by the actor, by someone else and by an anonymous watcher."""
    roundtable = RoundtableFactory()
    ana = ParticipantFactory(roundtable=roundtable, display_name="Ana")
    ben = ParticipantFactory(roundtable=roundtable, display_name="Ben", language="es")
    existing = ProposalFactory(author=ben)
    viewers = {"ana": ana, "ben": ben, "watcher": None}
    before = {name: roundtable_snapshot(roundtable=roundtable, viewer=v) for name, v in viewers.items()}

    question = roundtable.questions.get(order=1)
    participant_join(roundtable=roundtable, display_name="Chloé", actor_type="sme", language="fr")
    submitted = proposal_submit(
        roundtable_id=roundtable.pk, participant_id=ana.pk, question_id=question.pk, text="Shared budgets"
    )
    new_id = submitted.result["proposal"]
    for voter, proposal_id, choice in [
        (ana, existing.pk, "agree"),
        (ben, new_id, "disagree"),
        (ana, existing.pk, "pass"),
        (ben, existing.pk, "agree"),
    ]:
        vote_cast(
            roundtable_id=roundtable.pk, participant_id=voter.pk, proposal_id=proposal_id, choice=choice
        )

    return [
        {
            "viewer": name,
            "before": before[name],
            "frames": events_seen_by(
                roundtable_id=roundtable.pk, seq=before[name]["seq"], viewer_id=viewer.pk if viewer else None
            ),
            "after": roundtable_snapshot(roundtable=roundtable, viewer=viewer),
        }
        for name, viewer in viewers.items()
    ]


def test_the_browser_reducer_matches_a_fresh_snapshot():
    # The browser starts after recording and stops before the database teardown: while it runs, its
    # event loop makes Django refuse ORM calls in this thread.
    scenarios = json.loads(json.dumps(record_scenario(), default=str))
    with launch_chromium() as browser:
        replay_in_browser(browser, scenarios)


def replay_in_browser(browser, scenarios):
    page = browser.new_page()
    page.route(
        "http://reducer.test/**",
        lambda route: route.fulfill(
            status=200,
            content_type="text/javascript" if route.request.url.endswith(".js") else "text/html",
            body=STATE_JS.read_text()
            if route.request.url.endswith(".js")
            else "<!doctype html><title>t</title>",
        ),
    )
    page.goto("http://reducer.test/")

    for scenario in scenarios:
        assert scenario["frames"], "the scenario wrote no events"
        result = page.evaluate(REPLAY_IN_BROWSER, scenario)
        assert result["replayed"] == result["fresh"], scenario["viewer"]
        assert result["fresh"]["seq"] == scenario["after"]["seq"]
    page.close()
