"""The browser's reducer (frontend/js/state.js) must turn a snapshot plus events into exactly the state a
fresh snapshot gives, like the Python reference reducer does in tests/deliberation/test_events.py."""

import json
from pathlib import Path

import pytest

from tests.browser.conftest import launch_chromium
from tests.support.scenes import ACTIONS, scene_build, scene_record

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

STATE_JS = Path(__file__).resolve().parents[2] / "frontend" / "js" / "state.js"

REPLAY_IN_BROWSER = """
async ({before, events, after}) => {
  const {fromSnapshot, applyEvent} = await import("/js/state.js");
  const plain = (state) => JSON.parse(JSON.stringify({
    ...state,
    questions: Object.fromEntries(state.questions),
    proposals: Object.fromEntries(state.proposals),
  }));
  const state = fromSnapshot(before);
  for (const event of events) applyEvent(state, event);
  return {replayed: plain(state), fresh: plain(fromSnapshot(after))};
}
"""


def record_scenarios() -> list[dict]:
    """Every action of the shared scene, each seen by the actor, someone else and a watcher."""
    return [
        {**seen, "action": action.__name__}
        for action in ACTIONS
        for seen in scene_record(scene_build(), action)
    ]


def test_the_browser_reducer_matches_a_fresh_snapshot():
    # The browser starts after recording and stops before the database teardown: while it runs, its
    # event loop makes Django refuse ORM calls in this thread.
    scenarios = json.loads(json.dumps(record_scenarios(), default=str))
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
        assert scenario["events"], f"{scenario['action']} wrote no events"
        result = page.evaluate(REPLAY_IN_BROWSER, scenario)
        assert result["replayed"] == result["fresh"], f"{scenario['action']} as seen by {scenario['viewer']}"
        assert result["fresh"]["seq"] == scenario["after"]["seq"]
    page.close()
