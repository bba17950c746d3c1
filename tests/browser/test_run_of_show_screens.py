"""The run of show on every screen (issue 19), in Debian's Chromium against real Daphne and sockets: a
moderator starts the session from the console (after a confirmation), and the console, the projector and
a participant's phone follow it live. The console shows the step now with its countdown, what comes next,
the time left for the whole session and the plan against the clock; an extension that pushes the plan
past the planned end raises a warning saying by how much; Skip and Back from the console reach the
projector and the phone; a refused command shows its error next to the controls. The console keeps to
the window at 1440x900 and 1280x800 in English, Spanish and French; the projector keeps its columns
whole at 1920x1080 and 1280x720; at 360x740 the phone keeps the open question, its next card and its
buttons in the first screen. axe finds nothing. Screenshots: test-artifacts/screenshots/show-*.png."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.browser.test_projector import NOTHING_CUT
from tests.support.pages import cookie_for, watch_console
from tests.support.room_live import command, in_thread, open_socket
from tests.support.servers import daphne_servers, http_join, manage, organizer_login, sqlite_database

pytestmark = pytest.mark.browser

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
LOCALES = {"en": "en-GB", "es": "es-AR", "fr": "fr-FR"}

# Five steps, 35 minutes, planned to start in 2 minutes and end 37 minutes later: started at once, the
# plan has 4 minutes to spare, so a 5-minute extension no longer fits (by 1 minute and the seconds it
# took to press Start).
PLAN = """
import datetime
from django.utils import timezone
from deliberation.models import Participant, Role, Roundtable
from deliberation.services.run_of_show import PlanStep, run_of_show_plan

roundtable = Roundtable.objects.get(code="LED111")
first, second = roundtable.questions.order_by("order")[:2]
start = timezone.now() + datetime.timedelta(minutes=2)
Roundtable.objects.filter(pk=roundtable.pk).update(
    starts_at=start, ends_at=start + datetime.timedelta(minutes=37)
)
roundtable.refresh_from_db()
organizer = Participant.objects.filter(roundtable=roundtable, role=Role.ORGANIZER).first()
run_of_show_plan(roundtable=roundtable, organizer=organizer, steps=[
    PlanStep(kind="phase", planned_seconds=600, question_id=first.pk, phase="collecting"),
    PlanStep(kind="phase", planned_seconds=300, question_id=first.pk, phase="voting"),
    PlanStep(kind="break", planned_seconds=300,
             title={"en": "Coffee break", "es": "Pausa para el café", "fr": "Pause café"}),
    PlanStep(kind="phase", planned_seconds=600, question_id=second.pk, phase="collecting"),
    PlanStep(kind="closing", planned_seconds=300,
             title={"en": "Closing words", "es": "Palabras de cierre", "fr": "Mot de la fin"}),
])
"""

IDEAS = [
    "Create a joint investment fund for local projects",
    "Publicar en abierto todos los datos de la alianza",
    "Former les agents municipaux aux budgets participatifs",
    "Give cooperatives priority in public procurement",
]
PEOPLE = [
    ("Ana", "government-local", "es"),
    ("Ben", "academia-research", "en"),
    ("Chloé", "civil-society", "fr"),
]


@pytest.fixture(scope="module")
def show_room():
    """The seed roundtable with a planned run of show (not started), an organizer and three people."""
    with sqlite_database() as env:
        env = {**env, "ROUNDTABLE_TIMER_TICK_SECONDS": "0.2"}
        with daphne_servers(env) as (server,):
            organizer = organizer_login(env, server.base_url)
            people = [
                http_join(server.base_url, "LED111", name=name, actor_type=actor, language=language)
                for name, actor, language in PEOPLE
            ]
            manage(env, "shell", "-c", PLAN)
            yield server, organizer, people


def fill(server, people: list[str]) -> None:
    """People write proposals in the open question (the show opened it) and vote on one."""

    async def write():
        sockets = [(await open_socket(server, cookie)) for cookie in people]
        question = sockets[0][1]["questions"][0]["id"]
        ids = []
        for index, text in enumerate(IDEAS):
            socket = sockets[index % len(sockets)][0]
            reply = await command(
                socket, {"type": "proposal.submit", "id": f"idea-{index}", "question": question, "text": text}
            )
            ids.append(reply["ack"]["result"]["proposal"])
        await command(sockets[1][0], {"type": "vote.cast", "id": "v0", "proposal": ids[0], "choice": "agree"})
        for socket, _ in sockets:
            await socket.close()

    in_thread(write())


def open_page(browser, server, path: str, *, size, language: str, cookie: str | None, errors: list[str]):
    width, height = size
    context = browser.new_context(viewport={"width": width, "height": height}, locale=LOCALES[language])
    if cookie:
        cookie_for(context, server.base_url, cookie)
    page = context.new_page()
    watch_console(page, errors)
    page.goto(f"{server.base_url}{path}")
    expect(page.locator("#connection-status")).to_have_attribute("data-state", "live", timeout=15_000)
    return context, page


def axe_clean(page) -> None:
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
    assert len(results.response["passes"]) > 10, "axe ran its rules"
    assert [item["id"] for item in results.response["violations"]] == [], results.response["violations"]


def minutes_and_seconds(text: str) -> int:
    """Seconds in the first "m:ss" (or "h:mm:ss") of a text."""
    found = re.search(r"(?:(\d+):)?(\d+):(\d\d)", text)
    assert found, text
    hours, minutes, seconds = (int(part or 0) for part in found.groups())
    return hours * 3600 + minutes * 60 + seconds


@pytest.mark.timeout(300)
def test_the_console_runs_the_show_and_the_projector_and_phone_follow(browser, show_room, artifacts):
    server, organizer, people = show_room
    errors: list[str] = []
    console_context, console = open_page(
        browser,
        server,
        "/r/LED111/moderate/",
        size=(1440, 900),
        language="en",
        cookie=organizer,
        errors=errors,
    )
    screen_context, screen = open_page(
        browser,
        server,
        "/r/LED111/screen/?lang=en",
        size=(1920, 1080),
        language="en",
        cookie=None,
        errors=errors,
    )
    phone_cookie = http_join(server.base_url, "LED111", name="Lucía", actor_type="sme", language="es")
    phone_context, phone = open_page(
        browser, server, "/r/LED111/", size=(360, 740), language="es", cookie=phone_cookie, errors=errors
    )
    bar = console.locator("#show")
    announcer = console.locator("#announcer")

    # Planned, not started: what comes first, and only "Start the session" to press.
    expect(bar).to_be_visible()
    expect(bar.locator("[data-role=show-state]")).to_have_text("Not started")
    expect(bar.locator("[data-role=show-next]")).to_have_text("Next: Q1 · Collecting proposals (10 min)")
    expect(bar.get_by_role("button", name="Pause")).to_be_hidden()
    expect(screen.locator(".screen-show [data-role=show-next]")).to_contain_text("The session starts at")
    expect(console.get_by_label("Countdown (minutes, optional)").first).to_be_visible()

    # Starting asks first; Cancel leaves everything as it was, with focus back on the button.
    bar.get_by_role("button", name="Start the session").click()
    expect(bar.get_by_text("Start now? From then on the server")).to_be_visible()
    expect(bar.get_by_role("button", name="Yes, start now")).to_be_focused()
    console.keyboard.press("Escape")
    expect(bar.get_by_role("button", name="Start the session")).to_be_focused()
    expect(bar.locator("[data-role=show-state]")).to_have_text("Not started")
    bar.get_by_role("button", name="Start the session").click()
    bar.get_by_role("button", name="Yes, start now").click()

    # Running: the step now with its countdown, what comes next, the session's time left.
    expect(bar.locator("[data-role=show-state]")).to_have_text("Running")
    expect(bar.locator("[data-role=show-now]")).to_have_text("Now: Q1 · Collecting proposals")
    expect(bar.locator("[data-role=show-next]")).to_have_text("Next: Q1 · Voting (5 min)")
    left = minutes_and_seconds(bar.locator("[data-role=show-countdown]").inner_text())
    # The browser's clock follows the server's from a timestamp that was already in flight when it
    # arrived (frontend/js/clock.js): on a busy machine it can read half a second early, and the
    # countdown, rounded to the second, then says 10:01 just after the start.
    assert 9 * 60 <= left <= 10 * 60 + 1, left
    expect(bar.locator("[data-role=show-session]")).to_contain_text("Session: ")
    assert 36 * 60 <= minutes_and_seconds(bar.locator("[data-role=show-session]").inner_text()) <= 39 * 60
    expect(bar.get_by_role("button", name="Pause")).to_be_focused()
    expect(announcer).to_have_text(re.compile("^The session has started. Now: Q1 · Collecting proposals."))
    # The show keeps time: the question's own countdown is not offered (the server would refuse it),
    # nor "Stop the countdown" for the step's; the pane says what the show owns, names the step that
    # holds the question now, and leads to the show's controls.
    pane = console.locator("#question-1")
    expect(console.get_by_label("Countdown (minutes, optional)").first).to_be_hidden()
    owns = pane.locator("[data-role=show-keeps-time]")
    expect(owns).to_be_visible()
    expect(owns).to_contain_text("Step 1 of 5: Q1 · Collecting proposals.")
    expect(owns).to_contain_text(
        "The run of show is keeping time: it moves the questions at the end of each step."
    )
    expect(pane.get_by_role("button", name="Stop the countdown")).to_be_hidden()
    expect(pane.get_by_role("button", name="Voting", exact=True)).to_have_accessible_description(
        re.compile("^Step 1 of 5: Q1 · Collecting proposals. The run of show is keeping time")
    )
    owns.get_by_role("button", name="Go to the run of show controls").click()
    expect(bar.get_by_role("button", name="Pause")).to_be_focused()
    expect(bar.locator("[data-role=show-warning]")).to_be_hidden()
    # The projector: the question the show opened, and what comes next.
    expect(screen.locator(".screen-status [data-role=state]")).to_have_text("Collecting proposals")
    expect(screen.locator(".screen-show [data-role=show-next]")).to_have_text("Next: Q1 · Voting (5 min)")
    # The phone, in Spanish: the open question, and what comes next in one line.
    expect(phone.locator("[data-role=show] [data-role=show-next]")).to_have_text(
        "Después: P1 · Votación (5 min)"
    )
    fill(server, people)
    expect(phone.locator("#question-1 .next-card")).to_be_visible()

    # The plan against the clock: each step planned and as it runs.
    bar.get_by_text("Plan against the clock").click()
    rows = bar.locator(".show-table tbody tr")
    expect(rows).to_have_count(5)
    expect(rows.nth(0)).to_have_attribute("aria-current", "step")
    expect(rows.nth(0).locator("td").nth(0)).to_contain_text("10 min")
    expect(rows.nth(0).locator("td").nth(1)).to_contain_text("since")
    # The steps to come say when they are expected to start if the plan is followed from now.
    expect(rows.nth(1).locator("td").nth(1)).to_contain_text(re.compile(r"^expected at \d+:\d\d$"))
    expect(rows.nth(2).locator("th")).to_have_text("3. Coffee break")
    console.screenshot(path=str(artifacts / "show-console-plan-en-1440x900.png"))
    console.keyboard.press("Escape")
    expect(bar.locator(".show-table")).to_be_hidden()

    # Each control's accessible name starts with the words on it (WCAG 2.5.3 Label in Name): a voice
    # control user says "+2 min" or "Skip".
    for control in bar.locator(".show-controls button:visible").all():
        words = control.inner_text().strip()
        expect(control).to_have_accessible_name(re.compile("^" + re.escape(words)))
    expect(
        bar.get_by_role("button", name="+2 min: extend the current step by 2 minutes", exact=True)
    ).to_be_visible()
    expect(
        bar.get_by_role("button", name="Skip: end the current step now and start the next", exact=True)
    ).to_be_visible()

    # A refused command says why next to the controls (an extension of 90 minutes is out of range), and
    # changes nothing.
    console.evaluate("document.querySelector('#show [data-seconds=\"300\"]').dataset.seconds = '5400'")
    bar.get_by_role("button", name="+5 min", exact=False).click()
    expect(bar.locator(".show-controls .inline-error")).to_have_text("Add from 30 seconds to 60 minutes.")
    console.evaluate("document.querySelector('#show [data-seconds=\"5400\"]').dataset.seconds = '300'")

    # Five more minutes: the plan no longer fits, and the console says by how much.
    bar.get_by_role("button", name="+5 min", exact=False).click()
    expect(bar.locator(".show-controls .inline-error")).to_have_count(0)
    warning = bar.locator("[data-role=show-warning]")
    expect(warning).to_be_visible()
    # 40 minutes of plan from the moment Start was pressed, against 39 from the fixture's moment.
    expect(warning).to_contain_text(
        re.compile(
            r"^The plan no longer fits: it ends at \d+:\d\d\s?[AP]?M?, 2 minutes after the planned end"
        )
    )
    assert minutes_and_seconds(bar.locator("[data-role=show-countdown]").inner_text()) > 14 * 60
    expect(bar).to_have_attribute("data-fits", "false")
    console.screenshot(path=str(artifacts / "show-console-warning-en-1440x900.png"))
    axe_clean(console)

    # Skip asks first, beside the controls, naming what it ends for everyone: Escape (or Cancel) leaves
    # the room as it was, with the focus back on Skip.
    skip = bar.get_by_role("button", name="Skip", exact=False)
    skip.click()
    confirm = bar.locator("[data-role=show-confirm]")
    expect(confirm).to_contain_text(
        "End \u201cQ1 · Collecting proposals\u201d now for everyone and start \u201cQ1 · Voting\u201d?"
    )
    expect(bar.get_by_role("button", name="Yes, end it now")).to_be_focused()
    expect(bar.get_by_role("button", name="Pause")).to_be_hidden()
    console.screenshot(path=str(artifacts / "show-console-skip-confirm-en-1440x900.png"))
    console.keyboard.press("Escape")
    expect(confirm).to_be_hidden()
    expect(skip).to_be_focused()
    skip.click()
    bar.get_by_role("button", name="Cancel").click()
    expect(skip).to_be_focused()
    console.wait_for_timeout(500)
    expect(bar.locator("[data-role=show-now]")).to_have_text("Now: Q1 · Collecting proposals")
    expect(screen.locator(".screen-status [data-role=state]")).to_have_text("Collecting proposals")

    # Skip, confirmed: the next step on every screen.
    skip.click()
    bar.get_by_role("button", name="Yes, end it now").click()
    expect(bar.locator("[data-role=show-now]")).to_have_text("Now: Q1 · Voting")
    expect(skip).to_be_focused()
    expect(bar.locator("[data-role=show-next]")).to_have_text("Next: Coffee break (5 min)")
    expect(announcer).to_have_text("Now: Q1 · Voting. Next: Coffee break (5 min).")
    expect(screen.locator(".screen-status [data-role=state]")).to_have_text("Voting")
    expect(screen.locator(".screen-show [data-role=show-next]")).to_have_text("Next: Coffee break (5 min)")
    expect(phone.locator("[data-role=show] [data-role=show-next]")).to_have_text(
        "Después: Pausa para el café (5 min)"
    )
    # On the phone too, the voting's time left on the open question (which has no countdown of its own).
    expect(phone.locator("#question-1 [data-role=countdown]")).to_have_text(
        re.compile(r"^Termina en [45]:\d\d$")
    )
    expect(phone.locator("[data-role=show] [data-role=show-now]")).to_be_hidden()
    expect(screen.locator(".screen-status [data-role=countdown]")).to_have_text(
        re.compile(r"^Ends in [45]:\d\d$")
    )
    expect(console.locator("#question-1 [data-role=countdown]")).to_have_text(
        re.compile(r"^Ends in [45]:\d\d$")
    )
    # Skipping gave the time back: the plan fits again.
    expect(bar.locator("[data-role=show-warning]")).to_be_hidden()

    # The phone keeps the open question, its next card and its buttons in the first screen.
    card = phone.locator("#question-1 .next-card")
    expect(card).to_be_visible()
    for locator in (
        phone.locator("#question-1 .question-text"),
        card.locator(".proposal-text"),
        *(card.locator(f"[data-choice={choice}]") for choice in ("agree", "disagree", "pass")),
    ):
        expect(locator).to_be_in_viewport(ratio=1)
    assert phone.evaluate("window.scrollY") == 0
    phone.screenshot(path=str(artifacts / "show-phone-es-360x740-voting.png"))
    screen.screenshot(path=str(artifacts / "show-projector-en-1920x1080-voting.png"))

    # Skip again: a break, large on the projector with its countdown, and on the phone.
    skip.click()
    bar.get_by_role("button", name="Yes, end it now").click()
    expect(bar.locator("[data-role=show-now]")).to_have_text("Now: Coffee break")
    step = screen.locator(".screen-show [data-role=show-now]")
    expect(step).to_be_visible()
    expect(step.locator("[data-role=step-title]")).to_have_text("Coffee break")
    expect(step.locator("[data-role=step-countdown]")).to_have_text(re.compile(r"^Ends in [45]:\d\d$"))
    expect(screen.locator(".screen-show [data-role=show-next]")).to_have_text(
        "Next: Q2 · Collecting proposals (10 min)"
    )
    phone_step = phone.locator("[data-role=show] [data-role=show-now]")
    expect(phone_step).to_be_visible()
    expect(phone_step.locator("[data-role=step-title]")).to_have_text("Pausa para el café")
    expect(phone.locator("#announcer")).to_contain_text("Ahora: Pausa para el café")
    screen.screenshot(path=str(artifacts / "show-projector-en-1920x1080-break.png"))
    phone.screenshot(path=str(artifacts / "show-phone-es-360x740-break.png"))
    assert screen.evaluate(NOTHING_CUT) == []
    axe_clean(screen)
    axe_clean(phone)

    # The plan shows what happened: the first two steps skipped, planned against actual.
    bar.get_by_text("Plan against the clock").click()
    expect(rows.nth(0).locator("td").nth(1)).to_contain_text("Skipped")
    expect(rows.nth(0).locator("th")).to_contain_text("extended by 5 min")
    expect(rows.nth(2)).to_have_attribute("aria-current", "step")
    console.keyboard.press("Escape")

    # Back asks too, saying what runs again; then the voting again, everywhere.
    bar.get_by_role("button", name="Back", exact=False).click()
    expect(bar.locator("[data-role=show-confirm]")).to_contain_text(
        "Go back to \u201cQ1 · Voting\u201d and run it again from its start?"
        " \u201cCoffee break\u201d will run again after it."
    )
    bar.get_by_role("button", name="Yes, go back").click()
    expect(bar.locator("[data-role=show-now]")).to_have_text("Now: Q1 · Voting")
    expect(screen.locator(".screen-status [data-role=state]")).to_have_text("Voting")
    # The voting leads to a break, not to another phase: the question has no countdown of its own, so
    # the step's time left is shown where the question's always is.
    expect(screen.locator(".screen-show [data-role=show-now]")).to_be_hidden()
    expect(screen.locator(".screen-status [data-role=countdown]")).to_have_text(
        re.compile(r"^Ends in [45]:\d\d$")
    )
    expect(phone.locator("[data-role=show] [data-role=show-next]")).to_have_text(
        "Después: Pausa para el café (5 min)"
    )

    # Pause: the countdown stops on every screen; Resume takes the keyboard's focus.
    bar.get_by_role("button", name="Pause").click()
    expect(bar.locator("[data-role=show-state]")).to_have_text("Paused")
    expect(bar.get_by_role("button", name="Resume")).to_be_focused()
    expect(announcer).to_have_text("The session is paused.")
    paused = bar.locator("[data-role=show-countdown]").inner_text()
    assert paused.startswith("Paused · ")
    expect(screen.locator(".screen-show [data-role=step-countdown]")).to_have_text(paused)
    # The projector says the phase once, in the question's status; its show line only adds the pause.
    expect(screen.locator(".screen-show [data-role=step-title]")).to_be_hidden()
    expect(screen.locator(".screen-status [data-role=state]")).to_have_text("Voting")
    assert screen.locator(".screen-now").inner_text().count("Voting") == 1
    expect(phone.locator("[data-role=show] [data-role=step-title]")).to_be_hidden()
    expect(phone.locator("[data-role=show] [data-role=step-countdown]")).to_have_text(
        re.compile(r"^En pausa · quedan \d+:\d\d$")
    )
    console.wait_for_timeout(1500)
    expect(bar.locator("[data-role=show-countdown]")).to_have_text(paused)
    console.screenshot(path=str(artifacts / "show-console-paused-en-1440x900.png"))
    screen.screenshot(path=str(artifacts / "show-projector-en-1920x1080-paused.png"))
    bar.get_by_role("button", name="Resume").click()
    expect(bar.locator("[data-role=show-state]")).to_have_text("Running")
    expect(bar.get_by_role("button", name="Pause")).to_be_focused()

    for context in (console_context, screen_context, phone_context):
        context.close()
    assert errors == []


@pytest.mark.parametrize("size", [(1440, 900), (1280, 800)], ids=lambda size: f"{size[0]}x{size[1]}")
@pytest.mark.parametrize("language", LOCALES)
def test_the_console_with_its_run_of_show_fits_the_window(browser, show_room, artifacts, language, size):
    server, organizer, _ = show_room
    errors: list[str] = []
    context, page = open_page(
        browser, server, "/r/LED111/moderate/", size=size, language=language, cookie=organizer, errors=errors
    )
    width, height = size
    bar = page.locator("#show")
    expect(bar.locator("[data-role=show-now]")).not_to_have_text("")
    # No page scroll: the bar takes its line and the panes keep the rest.
    assert page.evaluate("document.documentElement.scrollHeight") == height
    assert page.evaluate("document.documentElement.scrollWidth") == width
    for selector in (
        "#show [data-role=show-countdown]",
        "#show [data-show=pause]",
        "#queue-heading",
    ):
        box = page.locator(selector).first.bounding_box()
        assert box and box["y"] >= 0 and box["y"] + box["height"] <= height, selector
    page.screenshot(path=str(artifacts / f"show-console-{language}-{width}x{height}.png"))
    bar.locator(".show-plan summary").click()
    page.screenshot(path=str(artifacts / f"show-console-plan-{language}-{width}x{height}.png"))
    axe_clean(page)
    context.close()
    assert errors == []


@pytest.mark.parametrize("size", [(1920, 1080), (1280, 720)], ids=lambda size: f"{size[0]}x{size[1]}")
def test_the_projector_keeps_its_columns_whole_with_the_run_of_show(browser, show_room, artifacts, size):
    server, _, _ = show_room
    errors: list[str] = []
    context, page = open_page(
        browser, server, "/r/LED111/screen/?lang=fr", size=size, language="fr", cookie=None, errors=errors
    )
    expect(page.locator(".screen-show [data-role=show-next]")).to_have_text("Ensuite : Pause café (5 min)")
    assert page.evaluate(NOTHING_CUT) == []
    page.screenshot(path=str(artifacts / f"show-projector-fr-{size[0]}x{size[1]}.png"))
    context.close()
    assert errors == []


@pytest.mark.parametrize("size", [(320, 640), (360, 740)], ids=lambda size: f"{size[0]}x{size[1]}")
def test_the_phone_keeps_the_open_question_first_with_the_run_of_show(browser, show_room, artifacts, size):
    server, _, _ = show_room
    errors: list[str] = []
    cookie = http_join(
        server.base_url, "LED111", name=f"Phone {size[0]}", actor_type="citizen", language="fr"
    )
    context, page = open_page(
        browser, server, "/r/LED111/", size=size, language="fr", cookie=cookie, errors=errors
    )
    expect(page.locator("[data-role=show] [data-role=show-next]")).to_have_text(
        "Ensuite : Pause café (5 min)"
    )
    card = page.locator("#question-1 .next-card")
    expect(card).to_be_visible()
    if size == (360, 740):
        for locator in (
            page.locator("#question-1 .question-text"),
            card.locator(".proposal-text"),
            *(card.locator(f"[data-choice={choice}]") for choice in ("agree", "disagree", "pass")),
        ):
            expect(locator).to_be_in_viewport(ratio=1)
    page.screenshot(path=str(artifacts / f"show-phone-fr-{size[0]}x{size[1]}.png"))
    axe_clean(page)
    context.close()
    assert errors == []
