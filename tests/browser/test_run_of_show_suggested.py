"""A roundtable nobody planned (the seed, as `make run` loads it): the console shows the suggested run
of show and "Start the session" runs it, without anyone opening the organize page first (the start
saves the plan in the same transaction and event). In Debian's Chromium against a real Daphne; the
console at 1440x900 and 1280x800 in English, Spanish and French. Screenshots:
test-artifacts/screenshots/show-suggested-*.png."""

import pytest
from playwright.sync_api import expect

from tests.browser.test_run_of_show_screens import LOCALES, axe_clean, minutes_and_seconds, open_page
from tests.support.servers import daphne_servers, organizer_login, sqlite_database

pytestmark = pytest.mark.browser

SUGGESTED = {
    "en": ("Suggested plan, not started", "Next: Q1 · Collecting proposals (12 min)"),
    "es": ("Plan sugerido, sin empezar", "Después: P1 · Recibiendo propuestas (12 min)"),
    "fr": ("Plan suggéré, pas commencé", "Ensuite : Q1 · Propositions ouvertes (12 min)"),
}


@pytest.fixture(scope="module")
def unplanned():
    with sqlite_database() as env, daphne_servers(env) as (server,):
        yield server, organizer_login(env, server.base_url)


@pytest.mark.parametrize("size", [(1440, 900), (1280, 800)], ids=lambda size: f"{size[0]}x{size[1]}")
@pytest.mark.parametrize("language", LOCALES)
def test_the_console_shows_the_suggested_plan_when_none_was_saved(
    browser, unplanned, artifacts, language, size
):
    server, organizer = unplanned
    errors: list[str] = []
    context, page = open_page(
        browser, server, "/r/LED111/moderate/", size=size, language=language, cookie=organizer, errors=errors
    )
    bar = page.locator("#show")
    state, next_line = SUGGESTED[language]
    expect(bar.locator("[data-role=show-state]")).to_have_text(state)
    expect(bar.locator("[data-role=show-next]")).to_have_text(next_line)
    assert page.evaluate("document.documentElement.scrollHeight") == size[1]
    assert page.evaluate("document.documentElement.scrollWidth") == size[0]
    page.screenshot(path=str(artifacts / f"show-suggested-console-{language}-{size[0]}x{size[1]}.png"))
    bar.locator(".show-plan summary").click()
    expect(bar.locator(".show-table tbody tr")).to_have_count(13)
    page.screenshot(path=str(artifacts / f"show-suggested-plan-{language}-{size[0]}x{size[1]}.png"))
    axe_clean(page)
    context.close()
    assert errors == []


def test_start_runs_the_suggested_plan_without_the_organize_page(browser, unplanned, artifacts):
    server, organizer = unplanned
    errors: list[str] = []
    context, console = open_page(
        browser,
        server,
        "/r/LED111/moderate/",
        size=(1440, 900),
        language="en",
        cookie=organizer,
        errors=errors,
    )
    bar = console.locator("#show")
    bar.get_by_role("button", name="Start the session").click()
    expect(bar.locator("[data-role=show-confirm]")).to_contain_text(
        "Start now with the suggested plan? It is saved as the session's plan"
    )
    bar.get_by_role("button", name="Yes, start now").click()
    expect(bar.locator("[data-role=show-state]")).to_have_text("Running")
    expect(bar.locator("[data-role=show-now]")).to_have_text("Now: Q1 · Collecting proposals")
    expect(bar.locator("[data-role=show-next]")).to_have_text("Next: Q1 · Voting (5 min)")
    left = minutes_and_seconds(bar.locator("[data-role=show-countdown]").inner_text())
    assert 11 * 60 <= left <= 12 * 60, left
    expect(bar.get_by_role("button", name="Pause")).to_be_focused()
    console.screenshot(path=str(artifacts / "show-suggested-started-en-1440x900.png"))

    # The plan is saved: a reload reads it from the server, and the organize page shows it running.
    console.reload()
    expect(bar.locator("[data-role=show-state]")).to_have_text("Running")
    bar.locator(".show-plan summary").click()
    expect(bar.locator(".show-table tbody tr")).to_have_count(13)
    page = context.new_page()
    page.goto(f"{server.base_url}/r/LED111/organize/#run-of-show")
    section = page.locator("#run-of-show")
    expect(section).to_contain_text("The session is under way")
    expect(section.locator('tr[aria-current="step"]')).to_contain_text("Q1 · Collecting proposals")
    context.close()
    assert errors == []
