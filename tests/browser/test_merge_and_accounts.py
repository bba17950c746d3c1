"""In Chromium at 1440x900: the merge dialog shows both texts, both tallies and what the merge will do,
is keyboard-usable (focus inside, Escape, focus back) and merges only on confirmation; "compare" has no
merge button; the sign-in and outbox pages in our layout. axe at 0 violations on each. Screenshots:
test-artifacts/screenshots/merge-*.png and account-*.png."""

import re
import tempfile

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.support.pages import cookie_for, sign_in
from tests.support.room_live import command, in_thread, open_socket
from tests.support.servers import (
    daphne_servers,
    organizer_login,
    organizer_password,
    people_join,
    sqlite_database,
)

pytestmark = pytest.mark.browser

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
VIEWPORT = {"width": 1440, "height": 900}
TEXTS = {
    "es": "Presupuestos participativos en cada barrio",
    "en": "Participatory budgets in every neighbourhood",
    "fr": "Des budgets participatifs dans chaque quartier",
    "other": "Schools and hospitals should buy food from local farmers",
}


def violations(page) -> list[str]:
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
    assert len(results.response["passes"]) > 5, "axe ran its rules on this page"
    return [
        f"{item['id']}: {item['help']} at {[node['target'] for node in item['nodes']][:3]}"
        for item in results.response["violations"]
    ]


async def fill(server, organizer: str, people: list[str]) -> dict[str, int]:
    """Question 1 collecting; Ana (es), Ben (en), Chloé (fr) and Dan propose; then votes: on the English
    one Ana, Ben and Dan agree and Chloé disagrees; on the Spanish one Ana agrees and Dan passes."""
    moderator, snapshot = await open_socket(server, organizer)
    question = snapshot["questions"][0]["id"]
    await command(
        moderator, {"type": "question.phase", "id": "open", "question": question, "state": "collecting"}
    )
    sockets = [(await open_socket(server, cookie))[0] for cookie in people]
    ids = {}
    for socket, key in zip(sockets, ("es", "en", "fr", "other"), strict=True):
        reply = await command(
            socket, {"type": "proposal.submit", "id": f"p-{key}", "question": question, "text": TEXTS[key]}
        )
        ids[key] = reply["ack"]["result"]["proposal"]
    for person, key, choice in [
        (0, "en", "agree"),
        (1, "en", "agree"),
        (2, "en", "disagree"),
        (3, "en", "agree"),
        (0, "es", "agree"),
        (3, "es", "pass"),
    ]:
        await command(
            sockets[person],
            {"type": "vote.cast", "id": f"v{person}{key}", "proposal": ids[key], "choice": choice},
        )
    for socket in [moderator, *sockets]:
        await socket.close()
    return ids


@pytest.fixture(scope="module")
def room():
    with sqlite_database() as env, tempfile.TemporaryDirectory(prefix="outbox-") as outbox:
        env = {
            **env,
            "ROUNDTABLE_ANALYSIS_INTERVAL_SECONDS": "0.3",
            "ROUNDTABLE_TIMER_TICK_SECONDS": "0.1",
            # As `make run` does: emails kept in the development outbox.
            "EMAIL_BACKEND": "roundtable.outbox.OutboxBackend",
            "ROUNDTABLE_OUTBOX_DIR": outbox,
        }
        with daphne_servers(env) as (server,):
            organizer = organizer_login(env, server.base_url)
            people = people_join(server.base_url)
            ids = in_thread(fill(server, organizer, people))
            yield env, server, organizer, ids


def console(browser, room):
    _, server, organizer, _ = room
    context = browser.new_context(viewport=VIEWPORT, locale="en-GB")
    cookie_for(context, server.base_url, organizer)
    page = context.new_page()
    page.goto(f"{server.base_url}/r/LED111/moderate/")
    expect(page.locator("#connection-status")).to_have_attribute("data-state", "live", timeout=15_000)
    return context, page


def test_the_merge_dialog_shows_both_sides_and_the_counts_and_merges_only_when_confirmed(
    browser, room, artifacts
):
    *_, ids = room
    context, page = console(browser, room)
    # Once the analysis has run (its event re-renders the lists), no event comes until the merge.
    expect(page.locator("[data-role=duplicates] li").first).to_be_visible(timeout=30_000)
    row = page.locator(f"#proposal-{ids['en']}")
    # "Merge into…" is in the card's "More" menu (the control room's compact cards).
    row.locator("button.more").click()
    opener = row.locator("button[data-action=merge]")
    opener.click()
    row.locator("form.inline-edit select").select_option(str(ids["es"]))
    row.locator("form.inline-edit button[type=submit]").click()

    dialog = page.get_by_role("dialog", name=f"Merge #{ids['en']} into #{ids['es']}?")
    expect(dialog).to_be_visible()
    expect(dialog.locator(".merge-survivor .merge-text")).to_have_text(TEXTS["es"])
    expect(dialog.locator(".merge-merged .merge-text")).to_have_text(TEXTS["en"])
    expect(dialog.locator(".merge-survivor .merge-text")).to_have_attribute("lang", "es")
    summary = dialog.locator(".merge-summary")
    expect(summary).to_contain_text(f"2 votes move from #{ids['en']} to #{ids['es']}.")
    expect(summary).to_contain_text("2 people voted on both")
    expect(summary).to_contain_text("1 of them voted differently")
    # The tallies: now on each side, and the survivor's after the merge.
    assert dialog.locator(".merge-merged .merge-tally dd").all_inner_texts() == ["3", "1", "0"]
    assert dialog.locator(".merge-survivor .merge-tally dd").all_inner_texts() == ["1", "0", "1"]
    assert dialog.locator(".merge-summary .merge-tally dd").all_inner_texts() == ["2", "1", "1"]
    # Focus starts on the harmless button, inside the dialog; Enter there would not merge.
    expect(dialog.locator(".merge-cancel")).to_be_focused()
    page.screenshot(path=str(artifacts / "merge-dialog-1440x900.png"))
    assert violations(page) == []

    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(page.locator(f"#proposal-{ids['en']}")).to_have_attribute("data-status", "visible")
    # Focus went back to what opened the dialog (the inline form's submit button).
    expect(row.locator("form.inline-edit button[type=submit]")).to_be_focused()

    # Again, by keyboard only: Enter on the focused submit opens it; Shift+Tab back to "Merge", Enter.
    page.keyboard.press("Enter")
    expect(dialog).to_be_visible()
    expect(dialog.locator(".merge-confirm")).to_be_enabled()
    dialog.locator(".merge-confirm").focus()
    page.keyboard.press("Enter")
    expect(dialog).to_be_hidden()
    expect(page.locator(f"#proposal-{ids['en']}")).to_have_attribute("data-status", "merged")
    survivor_tally = page.locator(f"#proposal-{ids['es']}")
    expect(survivor_tally).to_contain_text("2 agree, 1 disagree, 1 pass")
    context.close()


def test_likely_duplicates_offer_merge_or_compare_and_compare_cannot_merge(browser, room, artifacts):
    *_, ids = room
    context, page = console(browser, room)
    duplicates = page.locator("[data-role=duplicates]").first
    # The analysis run finds the Spanish and French participatory budgets (and the English one, unless
    # the other test merged it already), never the unrelated fourth proposal.
    pair = duplicates.locator("li").filter(has_text=TEXTS["es"]).filter(has_text=TEXTS["fr"])
    expect(pair).to_have_count(1, timeout=30_000)
    expect(duplicates).not_to_contain_text(TEXTS["other"])
    # Translations this close are precise enough for the one-click offer (the dialog still confirms).
    expect(pair.locator("button")).to_have_text(f"Merge #{ids['fr']} into #{ids['es']}")
    duplicates.scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / "merge-duplicates-1440x900.png"))

    page.evaluate(
        """([code, proposal, into]) => import("/static/js/merge_dialog.js").then((module) =>
            {
              // Not awaited: it resolves when the dialog closes.
              module.mergeDialogOpen({ code, proposal, into, mode: "compare", run: async () => true });
            })""",
        ["LED111", ids["fr"], ids["es"]],
    )
    dialog = page.get_by_role("dialog", name=f"Compare #{ids['es']} and #{ids['fr']}")
    expect(dialog).to_be_visible()
    expect(dialog.locator(".merge-text").first).to_have_text(TEXTS["es"])
    expect(dialog).to_contain_text("not sure enough")
    expect(dialog.locator(".merge-confirm")).to_have_count(0)
    page.screenshot(path=str(artifacts / "merge-compare-1440x900.png"))
    assert violations(page) == []
    dialog.locator(".merge-cancel").click()
    expect(dialog).to_have_count(0)
    expect(page.locator(f"#proposal-{ids['fr']}")).to_have_attribute("data-status", "visible")
    context.close()


def test_sign_in_page_and_the_message_on_the_page_it_leads_to(browser, room, artifacts):
    env, server, _, _ = room
    password = organizer_password(env, server.base_url, "second@example.org")
    for language, locale in (("en", "en-GB"), ("es", "es-ES"), ("fr", "fr-FR")):
        context = browser.new_context(viewport=VIEWPORT, locale=locale)
        page = context.new_page()
        page.goto(f"{server.base_url}/accounts/login/")
        expect(page.locator("html")).to_have_attribute("lang", language)
        expect(page.locator("form.language-switch")).to_have_count(1)
        page.screenshot(path=str(artifacts / f"account-sign-in-{language}-1440x900.png"))
        assert violations(page) == []
        # The checkbox is a checkbox-sized target beside its label, not a centred square.
        box = page.locator("#id_remember").bounding_box()
        label = page.locator("label[for=id_remember]").bounding_box()
        assert (
            box["width"] < 40 and abs(box["y"] + box["height"] / 2 - (label["y"] + label["height"] / 2)) < 8
        )
        context.close()

    context = browser.new_context(viewport=VIEWPORT, locale="en-GB")
    page = context.new_page()
    sign_in(page, server.base_url, email="second@example.org", password=password)
    expect(page).to_have_url(f"{server.base_url}/organize/")
    expect(page.locator(".staff-messages")).to_contain_text("Successfully signed in")
    page.screenshot(path=str(artifacts / "account-signed-in-1440x900.png"))
    page.goto(f"{server.base_url}/accounts/password/change/")
    expect(page.locator("h1")).to_be_visible()
    expect(page.locator("main")).not_to_contain_text("Successfully signed in")
    page.screenshot(path=str(artifacts / "account-password-1440x900.png"))
    assert violations(page) == []

    # The outbox: a sign-in code asked for by someone else is there, newest first, its link clickable.
    stranger = browser.new_context(viewport=VIEWPORT, locale="en-GB")
    asking = stranger.new_page()
    asking.goto(f"{server.base_url}/accounts/login/code/")
    asking.locator("#id_email").fill("second@example.org")
    asking.locator("main form button[type=submit]").first.click()
    expect(asking.locator("main h1")).to_be_visible()
    asking.goto(f"{server.base_url}/dev/outbox/")
    expect(asking.locator("h1")).not_to_have_text("Development outbox")  # a 404 for a stranger
    stranger.close()
    page.goto(f"{server.base_url}/dev/outbox/")
    expect(page.locator("h1")).to_have_text("Development outbox")
    first = page.locator(".outbox-message").first
    expect(first).to_contain_text("second@example.org")
    expect(first.locator("h2")).to_contain_text(re.compile("code", re.I))
    page.screenshot(path=str(artifacts / "account-outbox-1440x900.png"), full_page=True)
    assert violations(page) == []
    context.close()
