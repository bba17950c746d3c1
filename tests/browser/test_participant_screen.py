"""Two people in two browsers, on the embedded default: one submits and votes, the other sees it live."""

import re

import pytest
from playwright.sync_api import expect

from tests.support.pages import join, watch_console
from tests.support.servers import daphne_servers, sqlite_database

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server():
    with sqlite_database() as env, daphne_servers(env) as (daphne,):
        yield daphne


def test_a_proposal_and_a_vote_appear_live_in_another_browser(browser, server, artifacts):
    errors: list[str] = []
    ana_context = browser.new_context(viewport={"width": 360, "height": 740}, locale="es-AR")
    ben_context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    ana = ana_context.new_page()
    ben = ben_context.new_page()
    for page in (ana, ben):
        watch_console(page, errors)

    join(
        ben,
        server.base_url,
        name="Ben",
        actor_type_label="Small or medium enterprise",
        language_label="English",
    )
    expect(ben.locator("#connection-status")).to_have_text("Live")
    expect(ben.get_by_role("heading", level=2).first).to_contain_text("balanced participation")
    ben.evaluate("window.__sameDocument = true")

    ana.goto(f"{server.base_url}/r/LED111/")
    expect(ana.locator("#join-form")).to_contain_text("Tu nombre, tal como lo verán las demás personas")
    join(ana, server.base_url, name="Ana", actor_type_label="Gobierno local", language_label="Español")
    expect(ana.locator("#connection-status")).to_have_text("En vivo")
    first_question = ana.locator("#question-1")
    expect(first_question).to_contain_text("participación equilibrada")
    expect(ben.locator("#participant-count")).to_have_text("2 participants")

    first_question.get_by_label("Tu propuesta").fill("Mesas territoriales con cupos por tipo de actor")
    first_question.get_by_role("button", name="Enviar propuesta").click()

    ben_proposal = ben.locator("#question-1 li.proposal").filter(has_text="Mesas territoriales")
    expect(ben_proposal).to_be_visible()
    expect(ben_proposal).to_contain_text("Ana · Local government")
    expect(ben_proposal.locator("abbr")).to_have_text("ES")
    ben_proposal.get_by_role("button", name=re.compile("^Agree")).click()
    expect(ben_proposal.get_by_role("button", name=re.compile("^Agree"))).to_have_attribute(
        "aria-pressed", "true"
    )

    ana_proposal = ana.locator("#question-1 li.proposal").filter(has_text="Mesas territoriales")
    expect(ana_proposal.get_by_role("button", name=re.compile("^De acuerdo"))).to_contain_text("1")
    expect(ana_proposal).to_contain_text("Tuya")
    ana_proposal.get_by_role("button", name=re.compile("^Paso")).click()
    expect(ben_proposal.get_by_role("button", name=re.compile("^Pass"))).to_contain_text("1")
    assert ben.evaluate("window.__sameDocument") is True, (
        "the other browser reloaded instead of updating live"
    )
    ana.screenshot(path=artifacts / "participant-es-360x740.png", full_page=True)
    ben.screenshot(path=artifacts / "participant-en-1280x900.png")

    # Closing the tab and coming back restores the same person, their proposal and their vote.
    ana.close()
    again = ana_context.new_page()
    watch_console(again, errors)
    again.goto(f"{server.base_url}/r/LED111/")
    restored = again.locator("#question-1 li.proposal").filter(has_text="Mesas territoriales")
    expect(restored).to_contain_text("Tuya")
    expect(restored.get_by_role("button", name=re.compile("^Paso"))).to_have_attribute("aria-pressed", "true")
    expect(again.locator(".whoami")).to_contain_text("Ana")

    assert errors == []
    ana_context.close()
    ben_context.close()


def test_a_closed_question_shows_no_form_and_an_error_is_shown_in_the_persons_language(browser, server):
    context = browser.new_context()
    page = context.new_page()
    join(page, server.base_url, name="Chloé", actor_type_label="Citizen", language_label="Français")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    second = page.locator("#question-2")
    expect(second).to_contain_text("Fermée")
    expect(second.locator("form")).to_be_hidden()
    expect(second).to_contain_text("Cette question ne reçoit pas de propositions pour le moment.")

    first = page.locator("#question-1")
    first.get_by_label("Votre proposition").fill("   ")
    first.get_by_role("button", name="Envoyer la proposition").click()
    expect(first.get_by_role("alert")).to_have_text("Écrivez d'abord quelque chose.")
    context.close()


def test_switching_language_mid_session_keeps_the_persons_place(browser, server):
    """Ana joins in English, proposes and votes, then switches to Spanish: the screen comes back in Spanish
    with her proposal, her vote and the live connection, and the next live message is in Spanish."""
    context = browser.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    errors: list[str] = []
    watch_console(page, errors)
    join(page, server.base_url, name="Ana", actor_type_label="Citizen", language_label="English")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    first = page.locator("#question-1")
    first.get_by_label("Your proposal").fill("A shared calendar of every partner's meetings")
    first.get_by_role("button", name="Send proposal").click()
    mine = first.locator("li.proposal").filter(has_text="A shared calendar")
    expect(mine).to_be_visible()
    mine.locator("[data-choice=agree]").click()
    expect(mine.locator("[data-choice=agree]")).to_have_attribute("aria-pressed", "true")

    page.locator("#language-switch").select_option(label="Español")
    page.locator("form.language-switch button[type=submit]").click()

    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.locator("#connection-status")).to_have_text("En vivo")
    first = page.locator("#question-1")
    mine = first.locator("li.proposal").filter(has_text="A shared calendar")
    expect(mine.locator("[data-choice=agree]")).to_have_attribute("aria-pressed", "true")
    # The proposal keeps its own language, labelled, in the new interface language.
    expect(mine).to_contain_text("inglés")
    # What the server says live now comes in Spanish: another person's proposal arrives and is announced.
    expect(first.get_by_label("Tu propuesta")).to_be_visible()
    first.get_by_label("Tu propuesta").fill("Un calendario compartido")
    first.get_by_role("button", name="Enviar propuesta").click()
    # The confirmation is said (role=status) and shown beside the button that was pressed.
    confirmation = first.locator("[data-role=form-status]")
    expect(confirmation).to_have_text("Tu propuesta fue enviada. Síguela en «Tus propuestas».")
    expect(confirmation).to_have_attribute("role", "status")
    expect(confirmation).to_be_in_viewport()
    assert errors == []
    context.close()


def tab_to(page, selector: str, presses: int = 80) -> None:
    """Press Tab (only Tab) until the focused element matches `selector`."""
    for _press in range(presses):
        page.keyboard.press("Tab")
        if page.evaluate("(selector) => document.activeElement?.matches(selector) ?? false", selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


def test_joining_proposing_and_voting_by_keyboard_alone(browser, server):
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="es-AR")
    page = context.new_page()
    errors: list[str] = []
    watch_console(page, errors)
    page.goto(f"{server.base_url}/r/LED111/")

    tab_to(page, "#display_name")
    page.keyboard.type("Carla")
    tab_to(page, "#actor_type")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    tab_to(page, "#language")
    page.keyboard.type("Fr")
    tab_to(page, "#join-form button[type=submit]")
    page.keyboard.press("Enter")
    expect(page.locator("#connection-status")).to_have_text("En direct")

    question = page.locator("#question-1")
    expect(question.locator("[data-role=form]")).to_be_visible()
    tab_to(page, "#question-1 textarea")
    page.keyboard.type("Un guichet unique pour les partenariats locaux")
    tab_to(page, "#question-1 [data-role=form] button[type=submit]")
    page.keyboard.press("Enter")
    mine = question.locator("li.proposal", has_text="Un guichet unique")
    expect(mine).to_be_visible()
    expect(mine).to_contain_text("Carla")

    mine_id = mine.get_attribute("id")
    tab_to(page, f"#{mine_id} [data-choice=agree]")
    page.keyboard.press("Space")
    expect(mine.locator("[data-choice=agree]")).to_have_attribute("aria-pressed", "true")
    # Focus stays on the button the person pressed, through the live re-render.
    assert page.evaluate("document.activeElement.dataset.choice") == "agree"
    context.close()
    assert errors == []
