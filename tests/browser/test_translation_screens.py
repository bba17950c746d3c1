"""Machine translation in the browser, with the server pointed at a local LibreTranslate-speaking server:
an English participant on a phone translates a Spanish proposal and goes back to the original by
keyboard; a French moderator translates one in the console; a server that fails leaves the original and
says so; what the server sends is shown as text, never as markup; a room check reaches the phone in its
language."""

import pytest
from playwright.sync_api import expect

from tests.browser.test_accessibility import violations
from tests.support.libretranslate import translated_room
from tests.support.pages import cookie_for, watch_console
from tests.support.room_live import TRILINGUAL_IDEAS, command, in_thread, open_socket, room_prepare
from tests.support.servers import daphne_servers, http_join, organizer_login, sqlite_database

pytestmark = pytest.mark.browser

HOSTILE = "Un presupuesto participativo <img src=x onerror=alert(1)> para todas las comunidades locales"


def test_participants_and_moderators_translate_proposals_and_keep_the_original_one_click_away(
    browser, artifacts
):
    with translated_room() as (translator, server, organizer):
        base = server.base_url
        errors: list[str] = []
        ana = http_join(base, "LED111", name="Ana", actor_type="government-local", language="es")
        ben = http_join(base, "LED111", name="Ben", actor_type="academia-research", language="en")
        room_prepare(
            server,
            organizer,
            [ana, ben],
            ideas=[*TRILINGUAL_IDEAS[:3], HOSTILE],
            agree_first_half=[True, False],
        )

        phone = browser.new_context(viewport={"width": 360, "height": 740}, locale="en-GB")
        cookie_for(phone, base, ben)
        page = phone.new_page()
        watch_console(page, errors)
        page.goto(f"{base}/r/LED111/")

        def proposal_on(screen, text: str):
            """By id: once translated, the proposal no longer holds its original text."""
            found = screen.locator("#question-1 li.proposal", has_text=text)
            expect(found).to_have_count(1)
            return screen.locator(f"#{found.get_attribute('id')}")

        spanish = proposal_on(page, "fondo común")
        french = proposal_on(page, "fonds d'investissement")
        english = proposal_on(page, "joint investment fund")
        # Only proposals in another language offer a translation.
        expect(spanish.get_by_role("button", name="Translate into English")).to_be_visible()
        expect(french.get_by_role("button", name="Translate into English")).to_be_visible()
        expect(english.get_by_role("button", name="Translate into English")).to_have_count(0)

        # By keyboard: translate, then back to the original; focus stays on the switch.
        spanish.get_by_role("button", name="Translate into English").focus()
        page.keyboard.press("Enter")
        translated = spanish.locator(".proposal-text")
        expect(translated).to_have_text("Create a common investment fund for local projects")
        expect(translated).to_have_attribute("lang", "en")
        expect(spanish).to_contain_text("Machine translation from Spanish.")
        assert page.evaluate("document.activeElement.textContent") == "Show the original"
        assert violations(page) == []
        page.screenshot(path=str(artifacts / "translation-participant-en-360.png"), full_page=True)
        page.keyboard.press("Enter")
        expect(spanish.locator(".proposal-text")).to_have_text(TRILINGUAL_IDEAS[1])
        expect(spanish.locator(".proposal-text")).to_have_attribute("lang", "es")
        # The original is named by its language; the switch goes back to the translation.
        expect(spanish.locator("[data-role=original-label]")).to_have_text("Original (Español)")
        assert page.evaluate("document.activeElement.textContent") == "Show the translation"
        expect(page.locator("#announcer")).to_have_text("Showing the original (Español).")
        # Shown again from what the page kept: the server was asked once.
        page.keyboard.press("Enter")
        expect(translated).to_have_text("Create a common investment fund for local projects")
        assert [request["q"] for request in translator.requests] == [TRILINGUAL_IDEAS[1]]
        # Votes still count on the proposal, translated or not.
        spanish.locator("[data-choice=agree]").click()
        expect(spanish.locator("[data-choice=agree]")).to_have_attribute("aria-pressed", "true")
        expect(translated).to_have_text("Create a common investment fund for local projects")

        # What the translation server sends is text: markup in it is shown, never run.
        hostile = proposal_on(page, "presupuesto")
        hostile.get_by_role("button", name="Translate into English").click()
        expect(hostile.locator(".proposal-text")).to_have_text(f"[es→en] {HOSTILE}")
        expect(hostile.locator("img")).to_have_count(0)

        # The server fails: the original stays, and the person is told why.
        translator.mode = "error"
        french.get_by_role("button", name="Translate into English").click()
        expect(page.locator("#alerts")).to_have_text(
            "The translation service did not answer. The original text is shown; try again in a moment."
        )
        expect(french.locator(".proposal-text")).to_have_text(TRILINGUAL_IDEAS[2])
        expect(french.get_by_role("button", name="Translate into English")).to_be_enabled()
        translator.mode = "ok"

        # A French moderator in the console.
        console_context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR")
        cookie_for(console_context, base, organizer)
        console = console_context.new_page()
        watch_console(console, errors)
        console.goto(f"{base}/r/LED111/moderate/")
        row = proposal_on(console, "fondo común")
        row.get_by_role("button", name="Traduire en français").click()
        expect(row.locator(".proposal-text")).to_have_text("[es→fr] " + TRILINGUAL_IDEAS[1])
        expect(row).to_contain_text("Traduction automatique de l'espagnol.")
        row.get_by_role("button", name="Voir l'original").click()
        expect(row.locator(".proposal-text")).to_have_text(TRILINGUAL_IDEAS[1])

        # A room check put in Spanish: Ben reads it in English on his phone, and answers it.
        async def put_check():
            socket, snapshot = await open_socket(server, organizer)
            question = snapshot["questions"][0]["id"]
            frame = {
                "type": "statement.put",
                "id": "c1",
                "question": question,
                "text": TRILINGUAL_IDEAS[1],
            }
            await command(socket, frame)
            await socket.close()

        in_thread(put_check())
        check = page.locator("#room-checks li.check-item")
        # The translation pass gives every language its text: Ben reads it in English unasked,
        # marked as a machine's until a moderator reviews it (issue 18).
        expect(check.locator(".check-text")).to_have_text(
            "Create a common investment fund for local projects", timeout=15_000
        )
        expect(check.locator(".check-text")).to_have_attribute("lang", "en")
        expect(check).to_contain_text("Machine translation from Spanish.")
        check.locator("[data-choice=agree]").click()
        expect(check.locator("[data-choice=agree]")).to_have_attribute("aria-pressed", "true")
        phone.close()
        console_context.close()
        assert errors == []


def test_without_a_translation_server_no_translate_button_is_offered(browser):
    with sqlite_database() as env, daphne_servers(env) as (server,):
        organizer = organizer_login(env, server.base_url)
        ben = http_join(server.base_url, "LED111", name="Ben", actor_type="sme", language="en")
        room_prepare(server, organizer, [ben], ideas=[TRILINGUAL_IDEAS[1]], agree_first_half=[True])
        context = browser.new_context(viewport={"width": 360, "height": 740}, locale="en-GB")
        cookie_for(context, server.base_url, ben)
        page = context.new_page()
        page.goto(f"{server.base_url}/r/LED111/")
        proposal = page.locator("li.proposal", has_text="fondo común")
        expect(proposal).to_be_visible()
        expect(proposal.locator("[data-translate]")).to_have_count(0)
        context.close()
