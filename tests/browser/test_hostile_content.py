"""Hostile text typed into the live screens stays text on every screen that renders it in the browser:
another participant's, the projector's and the moderator console."""

import pytest
from playwright.sync_api import expect

from tests.support.pages import sign_in
from tests.support.servers import daphne_servers, organizer_password, sqlite_database

pytestmark = pytest.mark.browser

HOSTILE_NAME = '<img src=x onerror="window.__pwned=1">'
HOSTILE_TEXT = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=1"> & "quotes"'


@pytest.fixture(scope="module")
def served():
    with sqlite_database() as env, daphne_servers(env) as (daphne,):
        yield env, daphne


def untouched(page) -> None:
    assert page.evaluate("window.__pwned") is None, "a script from participant text ran"
    assert page.locator('img[src="x"]').count() == 0, "participant text became markup"


def test_hostile_names_and_proposals_stay_text_on_every_live_screen(browser, served):
    env, server = served
    base = server.base_url
    context = browser.new_context(locale="en-GB")
    author = context.new_page()
    author.goto(f"{base}/r/LED111/")
    author.locator("#display_name").fill(HOSTILE_NAME)
    author.locator("#actor_type").select_option(label="Citizen")
    author.locator("#join-form button[type=submit]").click()
    author.locator("#question-1").get_by_label("Your proposal").fill(HOSTILE_TEXT)
    author.locator("#question-1").get_by_role("button", name="Send proposal").click()
    expect(author.locator("#question-1 .proposal-text")).to_have_text(HOSTILE_TEXT)

    reader = browser.new_context(locale="en-GB").new_page()
    reader.goto(f"{base}/r/LED111/")
    reader.locator("#display_name").fill("Reader")
    reader.locator("#actor_type").select_option(label="Citizen")
    reader.locator("#join-form button[type=submit]").click()
    screen = browser.new_context().new_page()
    screen.goto(f"{base}/r/LED111/screen/?lang=en")
    staff = browser.new_context(locale="en-GB").new_page()
    password = organizer_password(env, base, "hostile-check@example.org")
    sign_in(staff, base, email="hostile-check@example.org", password=password)
    staff.goto(f"{base}/r/LED111/moderate/")

    # Twice on the reader's phone, both as text: the next card to vote on and the list.
    expect(reader.locator("#question-1 .proposal-text")).to_have_text([HOSTILE_TEXT, HOSTILE_TEXT])
    expect(reader.locator("#question-1 .proposal-meta")).to_have_count(2)
    for meta in reader.locator("#question-1 .proposal-meta").all():
        expect(meta).to_contain_text(HOSTILE_NAME)
    expect(screen.locator("#latest")).to_contain_text(HOSTILE_TEXT)
    expect(staff.locator("#question-1 .proposal-text")).to_have_text(HOSTILE_TEXT)
    expect(staff.locator("#question-1 .proposal-meta")).to_contain_text(HOSTILE_NAME)

    # A moderator's hide reason reaches its author as text too.
    row = staff.locator("#question-1 li.proposal")
    row.get_by_role("button", name="Hide").click()
    row.get_by_label("Reason the author will see").fill(HOSTILE_NAME)
    row.get_by_role("button", name="Hide").last.click()
    expect(author.locator("#question-1 .proposal-status")).to_contain_text(HOSTILE_NAME)

    for page in (author, reader, screen, staff):
        untouched(page)
        page.context.close()
