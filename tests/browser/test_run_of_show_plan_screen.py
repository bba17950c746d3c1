"""The run of show's plan editor on the organizer page, in Chromium at 1440x900 and 1280x800 against a
real Daphne: the suggested plan for the seed's 90 minutes, edited with the keyboard, a step in error
marked and announced in the reader's language, axe clean. Screenshots:
test-artifacts/screenshots/organizer-plan-*.png."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.test_accessibility import violations
from tests.support.pages import cookie_for
from tests.support.room_live import command, in_thread, open_socket
from tests.support.servers import daphne_servers, organizer_login, sqlite_database

pytestmark = pytest.mark.browser

SIZES = ((1440, 900), (1280, 800))
LOCALES = {"en": "en-GB", "es": "es-AR", "fr": "fr-FR"}


@pytest.fixture(scope="module")
def served():
    with sqlite_database() as env, daphne_servers(env) as (server,):
        yield server, organizer_login(env, server.base_url)


def open_organize(browser, served, *, size, language="en"):
    server, organizer = served
    context = browser.new_context(viewport={"width": size[0], "height": size[1]}, locale=LOCALES[language])
    cookie_for(context, server.base_url, organizer)
    page = context.new_page()
    page.goto(server.base_url + "/r/LED111/organize/#run-of-show")
    return context, page


def test_a_step_in_error_is_marked_and_announced_in_spanish(browser, served, artifacts):
    # First in this file: the next test starts the session, after which the plan is read-only.
    context, page = open_organize(browser, served, size=(1280, 800), language="es")
    page.get_by_label("Paso 2: Minutos").fill("0")
    page.get_by_label("Paso 5: Pregunta").select_option("")
    page.get_by_role("button", name="Guardar el plan").click()
    expect(page.get_by_role("alert")).to_contain_text("Revise el plan: los pasos con errores están marcados.")
    question = page.get_by_label("Paso 5: Pregunta")
    expect(question).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_plan-4-question-error")).to_contain_text("Elija la pregunta de esta fase.")
    page.locator("#run-of-show").scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / "organizer-plan-error-es-1280x800.png"), full_page=False)
    assert violations(page) == []
    context.close()


# The plan's caption, a card's labels and fields, all inside the viewport's width: nothing cut, nothing
# to scroll sideways for (a card per step, organizer.css).
WITHIN_WIDTH = """() => {
  const width = document.documentElement.clientWidth;
  const region = document.querySelector('#run-of-show .plan-scroll');
  const out = [...document.querySelectorAll(
    '#run-of-show caption, #run-of-show .plan-step:nth-of-type(-n+3) :is(label, input, select, time)'
  )].filter((node) => {
    const box = node.getBoundingClientRect();
    return box.width > 1 && (box.left < 0 || box.right > width + 0.5);
  }).map((node) => node.id || node.textContent.trim().slice(0, 40));
  return {out, regionScrolls: region.scrollWidth > region.clientWidth + 1,
          pageScrolls: document.documentElement.scrollWidth > width};
}"""


@pytest.mark.parametrize("size", [(320, 640), (360, 740)], ids=lambda size: f"{size[0]}x{size[1]}")
def test_the_plan_is_a_card_per_step_on_a_phone(browser, served, artifacts, size):
    # Before the session is started by the test after this one (the plan is a form only until then).
    context, page = open_organize(browser, served, size=size, language="fr")
    section = page.locator("#run-of-show")
    section.scroll_into_view_if_needed()
    assert page.evaluate(WITHIN_WIDTH) == {"out": [], "regionScrolls": False, "pageScrolls": False}
    # Each field shows its own word, and is still named with its step for screen readers; the table
    # keeps its rows and column headers for them, out of sight.
    first = section.locator("tr.plan-step").first
    for word in ("Position", "Type d'étape", "Question", "Phase", "Minutes"):
        expect(first.locator("label", has_text=word).first).to_be_visible()
    expect(page.get_by_label("Étape 1 : Minutes")).to_have_value("12")
    page.get_by_label("Étape 1 : Minutes").scroll_into_view_if_needed()
    expect(page.get_by_label("Étape 1 : Minutes")).to_be_in_viewport(ratio=1)
    expect(section.get_by_role("columnheader", name="Minutes")).to_have_count(1)
    expect(section.get_by_role("table")).to_have_accessible_name(re.compile("^Étapes, dans l'ordre"))
    assert section.get_by_role("row").count() > 13
    expect(section.locator("caption")).to_be_visible()
    page.screenshot(path=str(artifacts / f"organizer-plan-fr-{size[0]}x{size[1]}.png"), full_page=False)
    section.screenshot(path=str(artifacts / f"organizer-plan-section-fr-{size[0]}x{size[1]}.png"))
    assert violations(page) == []
    context.close()


def test_the_suggested_plan_is_edited_from_the_keyboard_and_saved(browser, served, artifacts):
    for width, height in SIZES:
        context, page = open_organize(browser, served, size=(width, height))
        section = page.locator("#run-of-show")
        expect(section).to_contain_text("The session is planned from 09:55 to 11:25")
        expect(section).to_contain_text("The plan takes 90 minutes.")
        expect(page.get_by_label("Step 1: Minutes")).to_have_value("12")
        expect(page.get_by_label("Step 13: Title (Español)")).to_have_value("Cierre")
        section.scroll_into_view_if_needed()
        page.screenshot(path=str(artifacts / f"organizer-plan-{width}x{height}.png"), full_page=False)
        section.screenshot(path=str(artifacts / f"organizer-plan-section-{width}x{height}.png"))
        assert violations(page) == []
        context.close()

    context, page = open_organize(browser, served, size=(1440, 900))
    minutes = page.get_by_label("Step 1: Minutes")
    minutes.focus()
    page.keyboard.press("Control+a")
    page.keyboard.type("15")
    page.get_by_role("button", name="Save the plan").press("Enter")
    expect(page.locator(".notice")).to_contain_text("The plan is saved.")
    expect(page.locator("#run-of-show")).to_contain_text("The plan takes 93 minutes.")
    expect(page.locator("#run-of-show")).to_contain_text("It does not fit in the session's time.")
    expect(page.locator("#run-of-show tbody tr").nth(1)).to_contain_text("10:10")  # step 2 after 15 min
    page.locator("#run-of-show").screenshot(path=str(artifacts / "organizer-plan-saved-1440x900.png"))

    # "Start the session" from a moderator's socket: the section turns into the plan against the clock.
    server, organizer = served

    async def start():
        socket, _ = await open_socket(server, organizer)
        await command(socket, {"type": "run_of_show.start", "id": "start"})
        await socket.close()

    in_thread(start())
    for width, height in (*SIZES, (320, 640), (360, 740)):
        page.set_viewport_size({"width": width, "height": height})
        page.reload()
        section = page.locator("#run-of-show")
        expect(section).to_contain_text("The session is under way")
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        expect(section.locator('tr[aria-current="step"]')).to_contain_text("Q1 · Collecting proposals")
        expect(section.locator("form")).to_have_count(0)
        section.screenshot(path=str(artifacts / f"organizer-plan-running-{width}x{height}.png"))
    context.close()


# A session that ran (set through the services and the step records, as the server would have left them),
# then published: what the document's readers see of it.
RAN_AND_PUBLISHED = """
import datetime
from deliberation.models import Participant, Roundtable, RunOfShow, RunStep
from deliberation.services.publications import document_publish
from deliberation.services.run_of_show import PlanStep, run_of_show_plan

roundtable = Roundtable.objects.get(code="LED111")
organizer = Participant.objects.get(roundtable=roundtable, role="organizer")
questions = list(roundtable.questions.order_by("order"))
steps = []
for number, question in enumerate(questions):
    if number == 2:
        coffee = {"en": "Coffee", "es": "Café", "fr": "Café"}
        steps.append(PlanStep(kind="break", planned_seconds=300, title=coffee))
    for phase, minutes in (("collecting", 10), ("voting", 4), ("locked", 3)):
        steps.append(
            PlanStep(kind="phase", planned_seconds=minutes * 60, question_id=question.pk, phase=phase)
        )
closing = {"en": "Closing", "es": "Cierre", "fr": "Clôture"}
steps.append(PlanStep(kind="closing", planned_seconds=600, title=closing))
run_of_show_plan(roundtable=roundtable, organizer=organizer, steps=steps)
actual = [10, 4, 3, 14, 4, 3, 1, 10, 5, 3, 9, 4, 3, 12]
moment = roundtable.starts_at
for position, minutes in enumerate(actual):
    ended = moment + datetime.timedelta(minutes=minutes)
    RunStep.objects.filter(show__roundtable=roundtable, position=position).update(
        started_at=moment, ended_at=ended, skipped=position == 6, extended_seconds=240 if position == 3 else 0
    )
    moment = ended
RunOfShow.objects.filter(roundtable=roundtable).update(
    state="finished", started_at=roundtable.starts_at, finished_at=moment
)
document_publish(roundtable_id=roundtable.pk, participant_id=organizer.pk, slug="led-ran")
"""


def test_the_published_document_says_how_the_session_went(browser, artifacts):
    from tests.support.servers import manage

    with sqlite_database() as env, daphne_servers(env) as (server,):
        organizer_login(env, server.base_url)
        manage(env, "shell", "-c", RAN_AND_PUBLISHED)
        for language, (sentence, size) in {
            "en": ("Q2 ran 4 minutes over.", (1440, 900)),
            "es": ("Se saltó «Café».", (1280, 800)),
        }.items():
            context = browser.new_context(
                viewport={"width": size[0], "height": size[1]}, locale=LOCALES[language]
            )
            page = context.new_page()
            page.goto(f"{server.base_url}/p/led-ran/?lang={language}")
            section = page.locator(".document-run-of-show")
            expect(section).to_contain_text(sentence)
            section.screenshot(
                path=str(artifacts / f"document-run-of-show-{language}-{size[0]}x{size[1]}.png")
            )
            assert violations(page) == []
            context.close()
