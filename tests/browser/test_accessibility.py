"""axe-core (WCAG 2.2 A and AA rules) in Debian's Chromium on every screen, in English, Spanish and French,
with live content present (proposals, votes, themes, opinion groups, a countdown): zero violations.
Screenshots of each screen at 360x740 (phone) and 1920x1080 (projector) are kept for review."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.support.pages import cookie_for
from tests.support.room_live import TRILINGUAL_IDEAS, command, in_thread, open_socket, room_prepare
from tests.support.servers import daphne_servers, http_join, http_publish, organizer_login, sqlite_database

pytestmark = pytest.mark.browser

LANGUAGES = {"en": "en-GB", "es": "es-AR", "fr": "fr-FR"}
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def violations(page) -> list[str]:
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
    assert len(results.response["passes"]) > 10, "axe ran its rules on this page"
    return [
        f"{item['id']} ({item['impact']}): {item['help']} at {[node['target'] for node in item['nodes']][:3]}"
        for item in results.response["violations"]
    ]


@pytest.fixture(scope="module")
def live_room():
    with sqlite_database() as env:
        env = {**env, "ROUNDTABLE_ANALYSIS_INTERVAL_SECONDS": "0.3", "ROUNDTABLE_TIMER_TICK_SECONDS": "0.1"}
        with daphne_servers(env) as (server,):
            organizer = organizer_login(env, server.base_url)
            people = {
                language: http_join(
                    server.base_url, "LED111", name=f"Ana {language}", actor_type=actor, language=language
                )
                for language, actor in (
                    ("es", "government-local"),
                    ("en", "academia-research"),
                    ("fr", "sme"),
                )
            }
            extra = http_join(
                server.base_url, "LED111", name="Dan", actor_type="civil-society", language="en"
            )
            room_prepare(
                server,
                organizer,
                [*people.values(), extra],
                ideas=TRILINGUAL_IDEAS,
                agree_first_half=[True, False, True, False],
                countdown_seconds=3600,
            )
            in_thread(conclusions_draft(server, organizer))
            http_publish(server.base_url, organizer, code="LED111", slug="led111", note="First version.")
            yield server, organizer, people


async def conclusions_draft(server, organizer: str) -> None:
    """Conclusions for question 1 that cite its first proposal, a commitment, and a room check."""
    socket, snapshot = await open_socket(server, organizer)
    question = snapshot["questions"][0]["id"]
    cited = min(proposal["id"] for proposal in snapshot["proposals"] if proposal["question"] == question)
    for frame in (
        {"type": "statement.put", "text": "A joint fund, run by the partners."},
        {"type": "commitment.add", "what": "Draft the fund's rules", "actor_type": "government-local"},
        {
            "type": "draft.save",
            "base_version": 0,
            "text": f"## Funding\nA joint fund [#{cited}], as the room agreed [check:1].",
        },
    ):
        await command(socket, {**frame, "id": frame["type"], "question": question})
    await socket.close()


SCREENS = {
    # name: (path, who, what shows the live content has arrived)
    "join": ("/r/LED111/", None, "form"),
    "participant": ("/r/LED111/", "participant", "[data-role=themes] li"),
    "privacy": ("/r/LED111/privacy/", "participant", "main"),
    "console": ("/r/LED111/moderate/", "organizer", "[data-role=themes] li"),
    "projector": ("/r/LED111/screen/", None, "#themes li"),
    "organize": ("/r/LED111/organize/", "organizer", "main"),
    "organizer-home": ("/organize/", "organizer", "main"),
    "new-roundtable": ("/organize/new/", "organizer", "form"),
    "sign-in": ("/accounts/login/", None, "form"),
    "document-review": ("/r/LED111/document/", "organizer", ".conclusions a.citation"),
    "publication": ("/p/led111/", None, ".conclusions a.citation"),
    "publication-version": ("/p/led111/v1/", None, ".conclusions a.citation"),
}


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_screen_has_no_accessibility_violations(browser, live_room, artifacts, language):
    server, organizer, people = live_room
    base = server.base_url
    found = {}
    for name, (path, who, ready) in SCREENS.items():
        for width, height in ((320, 740), (360, 740), (1920, 1080)):
            context = browser.new_context(
                viewport={"width": width, "height": height}, locale=LANGUAGES[language]
            )
            if who == "participant":
                cookie_for(context, base, people[language])
            elif who == "organizer":
                cookie_for(context, base, organizer)
            page = context.new_page()
            page.goto(base + path + (f"?lang={language}" if who is None and name != "sign-in" else ""))
            expect(page.locator(ready).first).to_be_visible(timeout=15_000)
            if width == 320:
                # Reflow (WCAG 1.4.10): at 320 CSS pixels nothing needs scrolling sideways.
                overflow = page.evaluate(
                    "document.documentElement.scrollWidth - document.documentElement.clientWidth"
                )
                if overflow > 0:
                    found[f"{name} at 320 px"] = [f"scrolls sideways by {overflow} px"]
                context.close()
                continue
            page.screenshot(
                path=str(artifacts / f"a11y-{name}-{language}-{width}x{height}.png"), full_page=True
            )
            if width == 360:
                problems = violations(page)
                if problems:
                    found[name] = problems
            context.close()
    assert found == {}


def screen_open(browser, live_room, name: str, **context_options):
    server, organizer, people = live_room
    path, who, ready = SCREENS[name]
    context = browser.new_context(**context_options)
    if who == "participant":
        cookie_for(context, server.base_url, people["en"])
    elif who == "organizer":
        cookie_for(context, server.base_url, organizer)
    page = context.new_page()
    page.goto(server.base_url + path)
    expect(page.locator(ready).first).to_be_visible(timeout=15_000)
    return context, page


def test_every_screen_in_the_dark_scheme_and_at_200_percent_zoom(browser, live_room, artifacts):
    """The dark scheme (prefers-color-scheme) passes axe's contrast rules too; and at 200 % zoom of a
    1280x720 laptop screen (640x360 CSS pixels at twice the density) nothing scrolls sideways."""
    found = {}
    for name in SCREENS:
        context, page = screen_open(
            browser,
            live_room,
            name,
            viewport={"width": 360, "height": 740},
            color_scheme="dark",
            locale="en-GB",
        )
        background = page.evaluate("getComputedStyle(document.body).backgroundColor")
        assert background != "rgb(255, 255, 255)", f"{name} ignores the dark scheme"
        page.screenshot(path=str(artifacts / f"a11y-{name}-dark-360x740.png"), full_page=True)
        if problems := violations(page):
            found[f"{name} (dark)"] = problems
        context.close()
        context, page = screen_open(
            browser,
            live_room,
            name,
            viewport={"width": 640, "height": 360},
            device_scale_factor=2,
            locale="en-GB",
        )
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        if overflow > 0:
            found[f"{name} at 200 %"] = [f"scrolls sideways by {overflow} px"]
        context.close()
    assert found == {}


def test_the_check_would_catch_a_violation(browser, live_room):
    """The control: the same check on the participant screen with one unlabelled field and one image
    without a text alternative added reports both."""
    server, _, people = live_room
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="es-AR")
    cookie_for(context, server.base_url, people["es"])
    page = context.new_page()
    page.goto(server.base_url + "/r/LED111/")
    expect(page.locator("[data-role=themes] li").first).to_be_visible(timeout=15_000)
    page.evaluate(
        """() => {
            document.querySelector("main").append(document.createElement("input"));
            const image = document.createElement("img");
            image.src = "/static/favicon.svg";
            document.querySelector("main").append(image);
        }"""
    )
    problems = " ".join(violations(page))
    context.close()
    assert "label" in problems
    assert "image-alt" in problems
