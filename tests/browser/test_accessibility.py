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


# A test per screen and language (not one per language looping over every screen): each stays well
# inside the per-test time limit on a busy machine, and a failure names its screen.
@pytest.mark.parametrize("name", SCREENS)
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_screen_has_no_accessibility_violations(browser, live_room, artifacts, language, name):
    server, organizer, people = live_room
    base = server.base_url
    found = {}
    path, who, ready = SCREENS[name]
    for width, height in ((320, 740), (360, 740), (1920, 1080)):
        context = browser.new_context(viewport={"width": width, "height": height}, locale=LANGUAGES[language])
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
        page.screenshot(path=str(artifacts / f"a11y-{name}-{language}-{width}x{height}.png"), full_page=True)
        if name == "projector" and width == 1920:
            # Nobody scrolls a projector: everything, down to the language links, fits 1920x1080.
            below = page.evaluate("document.documentElement.scrollHeight - window.innerHeight")
            if below > 0 or not page.locator(".screen-languages").is_visible():
                found[f"{name} at 1920x1080"] = [f"needs scrolling by {below} px"]
            foot = page.locator(".screen-foot").bounding_box()
            if foot["y"] + foot["height"] > height:
                found[f"{name} at 1920x1080"] = ["the footer is below the screen"]
        if width == 360:
            problems = violations(page)
            if problems:
                found[name] = problems
        context.close()
    assert found == {}, "\n".join(
        f"{screen}: {problem}" for screen, problems in found.items() for problem in problems
    )


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


MOVING = """() => [...document.querySelectorAll("*")].filter((element) => {
    const style = getComputedStyle(element);
    return parseFloat(style.transitionDuration) > 0 || style.animationName !== "none";
}).length"""


def test_every_screen_in_the_dark_scheme_with_reduced_motion_and_at_200_percent_zoom(
    browser, live_room, artifacts
):
    """The dark scheme (prefers-color-scheme) passes axe's contrast rules too; with reduced motion asked
    for, nothing moves; and at 200 % zoom of a 1280x720 laptop screen (640x360 CSS pixels at twice the
    density) nothing scrolls sideways."""
    found = {}
    # The control: without the preference, the participant screen's tally bars do move.
    context, page = screen_open(browser, live_room, "participant", viewport={"width": 360, "height": 740})
    assert page.evaluate(MOVING) > 0
    context.close()
    for name in SCREENS:
        context, page = screen_open(
            browser,
            live_room,
            name,
            viewport={"width": 360, "height": 740},
            color_scheme="dark",
            reduced_motion="reduce",
            locale="en-GB",
        )
        background = page.evaluate("getComputedStyle(document.body).backgroundColor")
        assert background != "rgb(255, 255, 255)", f"{name} ignores the dark scheme"
        if moving := page.evaluate(MOVING):
            found[f"{name} (reduced motion)"] = [f"{moving} elements still animate"]
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
    assert found == {}, "\n".join(
        f"{screen}: {problem}" for screen, problems in found.items() for problem in problems
    )


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


FOCUSED = """() => {
    const el = document.activeElement;
    if (!el || el === document.body) return null;
    const box = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    const outlined = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2;
    const calendarButton = el.type?.startsWith("date") && !el.matches(":focus");
    // WCAG 2.5.8 exceptions: a link inside a sentence, or a small target with room around it (a 24 px
    // square on its centre touches no other target).
    const parent = el.parentElement;
    const inSentence = el.tagName === "A" && getComputedStyle(parent).display !== "flex" &&
        parent.textContent.trim().length > el.textContent.trim().length;
    let crowded = false;
    if (box.width < 24 || box.height < 24) {
        const x = box.left + box.width / 2, y = box.top + box.height / 2;
        const area = {left: x - 12, right: x + 12, top: y - 12, bottom: y + 12};
        const targets = document.querySelectorAll("a[href], button, input, select, textarea, [tabindex]");
        crowded = [...targets].some((other) => {
            if (other === el || other.contains(el) || el.contains(other)) return false;
            const r = other.getBoundingClientRect();
            if (!r.width || !r.height) return false;
            return r.left < area.right && r.right > area.left && r.top < area.bottom && r.bottom > area.top;
        });
    }
    return {
        key: el.id || `${el.tagName.toLowerCase()}:${(el.textContent || el.name || "").trim().slice(0, 40)}`,
        index: [...document.querySelectorAll("*")].indexOf(el),
        shown: box.width > 0 && box.height > 0 && style.visibility !== "hidden",
        // Past a date field's parts, Chromium focuses its calendar button (inside the field, out of
        // reach of getComputedStyle); app.css rings it, as the screenshots show.
        ring: outlined || style.boxShadow !== "none" || calendarButton,
        small: !inSentence && crowded,
        skip: el.classList.contains("skip-link"),
    };
}"""


def test_every_screen_can_be_walked_by_keyboard_with_a_visible_focus_on_24px_targets(browser, live_room):
    """Tab from the top of each screen: the first stop is the skip link, every stop is visible with a
    focus ring and (unless a link inside a sentence) at least 24x24 px, and Tab reaches the end of the
    page and wraps round instead of getting stuck."""
    found = {}
    for name in SCREENS:
        context, page = screen_open(browser, live_room, name, viewport={"width": 1280, "height": 900})
        stops, problems = [], []
        for _press in range(400):
            page.keyboard.press("Tab")
            stop = page.evaluate(FOCUSED)
            if stop is None:
                continue
            if stops and stop["index"] == stops[0]["index"]:
                break
            stops.append(stop)
            if not stop["shown"]:
                problems.append(f"{stop['key']} is focused but not shown")
            if not stop["ring"]:
                problems.append(f"{stop['key']} has no visible focus ring")
            if stop["small"] and not stop["skip"]:
                problems.append(f"{stop['key']} is smaller than 24x24 px and crowded by another target")
        else:
            problems.append("Tab never came back round to the first stop (focus stuck, or over 400 stops)")
        if not stops or not stops[0]["skip"]:
            problems.append(f"the first Tab stop is {stops[0]['key'] if stops else None}, not the skip link")
        if problems:
            found[name] = problems
        context.close()
    assert found == {}, "\n".join(
        f"{screen}: {problem}" for screen, problems in found.items() for problem in problems
    )
