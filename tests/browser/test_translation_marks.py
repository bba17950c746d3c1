"""Machine-made texts say so everywhere they are read, and their original is one press away (issue 18):
a room check put in English reaches a French phone at 320 px in French, marked as a machine's, with a
"Voir l'original" button that shows the English (named "Original (English)") and goes back, by keyboard,
announced; the projector at 1920x1080 carries the same mark under the check. A theme's name the server
translated says so too: "(traduction automatique)" after it, on the phone at 360 px and on the
projector. In the console, a reviewed translation whose English original then changes says so, and
"Translate again" replaces it."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.test_accessibility import violations
from tests.support.libretranslate import translated_room
from tests.support.pages import console_open, cookie_for, watch_console
from tests.support.room_live import TRILINGUAL_IDEAS, command, in_thread, open_socket, room_prepare
from tests.support.servers import http_join

pytestmark = pytest.mark.browser

CHECK_EN = "Partnerships need a shared fund"
CHECK_FR = "Les partenariats ont besoin d'un fonds commun"
# The room's two proposals (TRILINGUAL_IDEAS[:2]), one theme; the server knows its name in every language.
FUND = {
    "en": "Create a joint investment fund for local projects",
    "es": "Crear un fondo común de inversión para proyectos locales",
    "fr": "Créer un fonds d'investissement commun pour les projets locaux",
}


def test_a_machine_translated_room_check_is_marked_on_the_phone_and_the_projector_with_its_original(
    browser, artifacts
):
    with translated_room() as (translator, server, organizer):
        translator.phrases = [FUND]
        base = server.base_url
        errors: list[str] = []
        ben = http_join(base, "LED111", name="Ben", actor_type="academia-research", language="es")
        chloe = http_join(base, "LED111", name="Chloé", actor_type="civil-society", language="fr")
        assert TRILINGUAL_IDEAS[:2] == [FUND["en"], FUND["es"]]
        room_prepare(
            server, organizer, [ben, chloe], ideas=TRILINGUAL_IDEAS[:2], agree_first_half=[True, False]
        )

        async def put_check():
            socket, snapshot = await open_socket(server, organizer)
            question = snapshot["questions"][0]["id"]
            frame = {"type": "statement.put", "id": "c1", "question": question, "text": CHECK_EN}
            await command(socket, {**frame, "language": "en"})
            await socket.close()

        in_thread(put_check())

        phone_context = browser.new_context(viewport={"width": 320, "height": 740}, locale="fr-FR")
        cookie_for(phone_context, base, chloe)
        phone = phone_context.new_page()
        watch_console(phone, errors)
        phone.goto(f"{base}/r/LED111/")
        check = phone.locator("#room-checks li.check-item")
        text = check.locator(".check-text")
        # The translation pass gives French its text; the phone says a machine made it.
        expect(text).to_have_text(CHECK_FR, timeout=15_000)
        expect(text).to_have_attribute("lang", "fr")
        expect(check.locator("[data-role=check-mark]")).to_contain_text(
            "Traduction automatique de l'anglais."
        )
        assert violations(phone) == []
        phone.screenshot(path=str(artifacts / "marks-check-fr-320-translation.png"), full_page=True)

        # By keyboard: the original, named by its language, then back; focus stays on the switch and
        # each change is announced.
        show_original = check.get_by_role("button", name="Voir l'original")
        show_original.focus()
        phone.keyboard.press("Enter")
        expect(text).to_have_text(CHECK_EN)
        expect(text).to_have_attribute("lang", "en")
        expect(check.locator("[data-role=original-label]")).to_have_text("Original (English)")
        show_translation = check.get_by_role("button", name="Voir la traduction")
        expect(show_translation).to_be_focused()
        expect(phone.locator("#announcer")).to_have_text("Affichage de l'original (English).")
        assert violations(phone) == []
        phone.screenshot(path=str(artifacts / "marks-check-fr-320-original.png"), full_page=True)
        # Nothing sticks out at 320 px.
        assert phone.evaluate("document.documentElement.scrollWidth") <= 320
        phone.keyboard.press("Enter")
        expect(text).to_have_text(CHECK_FR)
        expect(check.get_by_role("button", name="Voir l'original")).to_be_focused()
        expect(phone.locator("#announcer")).to_have_text("Affichage de la traduction.")
        # Answering still works on the translated check.
        check.get_by_role("button", name=re.compile("^D'accord")).click()
        expect(check.get_by_role("button", name=re.compile("^D'accord"))).to_have_attribute(
            "aria-pressed", "true"
        )
        phone.set_viewport_size({"width": 360, "height": 740})
        phone.screenshot(path=str(artifacts / "marks-check-fr-360.png"), full_page=True)

        # The two proposals (English, Spanish) are one theme, named in French by the translation server:
        # the name says so in two words after it, which a screen reader reads with the name.
        theme = phone.locator("#question-1 [data-role=themes] > li.theme", has_text=FUND["fr"])
        expect(theme).to_have_count(1, timeout=20_000)
        expect(theme.locator(".theme-title")).to_contain_text(f"{FUND['fr']} (traduction automatique)")
        expect(theme.locator("[data-role=theme-mark]")).to_be_visible()
        assert violations(phone) == []
        assert phone.evaluate("document.documentElement.scrollWidth") <= 360
        theme.scroll_into_view_if_needed()
        phone.screenshot(path=str(artifacts / "marks-theme-fr-360.png"))

        # The projector, in French: the same text, the same mark under it, on one screen.
        screen_context = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="fr-FR")
        screen = screen_context.new_page()
        watch_console(screen, errors)
        screen.goto(f"{base}/r/LED111/screen/?lang=fr")
        room_check = screen.locator("#room-check")
        expect(room_check.locator("[data-role=check-text]")).to_have_text(CHECK_FR)
        mark = room_check.locator("[data-role=check-mark]")
        expect(mark).to_have_text("Traduction automatique de l'anglais.")
        expect(mark).to_be_visible()
        # Readable from the back of a room: no smaller than the check's own total line.
        size = mark.evaluate("element => parseFloat(getComputedStyle(element).fontSize)")
        assert size >= 18, size
        # The theme's French name, and the same short mark after it as on the phone.
        screen_theme = screen.locator("#themes > li.screen-theme")
        expect(screen_theme.locator(".theme-title strong")).to_have_text(FUND["fr"])
        expect(screen_theme.locator(".theme-title")).to_contain_text(f"{FUND['fr']} (traduction automatique)")
        theme_mark = screen_theme.locator("[data-role=theme-mark]")
        expect(theme_mark).to_be_visible()
        size = theme_mark.evaluate("element => parseFloat(getComputedStyle(element).fontSize)")
        assert size >= 18, size
        assert violations(screen) == []
        screen.screenshot(path=str(artifacts / "marks-projector-fr-1920x1080.png"))
        assert screen.evaluate("document.documentElement.scrollHeight") <= 1080

        for context in (phone_context, screen_context):
            context.close()
        assert errors == []


def test_a_reviewed_translation_whose_original_changed_says_so_and_is_translated_again(browser, artifacts):
    with translated_room() as (_translator, server, organizer):
        base = server.base_url
        errors: list[str] = []
        ben = http_join(base, "LED111", name="Ben", actor_type="academia-research", language="es")
        room_prepare(server, organizer, [ben], ideas=TRILINGUAL_IDEAS[:1], agree_first_half=[True])
        # English conclusions translated, the Spanish reviewed, then English changes.
        console_context, console = console_open(browser, base, organizer, errors)
        console.locator("#question-1 [data-view=drafting]").click()
        drafting = console.locator("#question-1 [data-role=drafting]")
        tabs = drafting.get_by_role("tablist", name="Language of the conclusions")
        english = tabs.get_by_role("tab", name=re.compile("^English"))
        spanish = tabs.get_by_role("tab", name=re.compile("^Español"))
        drafting.get_by_label("Conclusions in English (Markdown)").fill(f"## Funding\n\n{CHECK_EN}")
        drafting.get_by_role("button", name="Save the draft").click()
        expect(spanish).to_contain_text("(machine, not reviewed)", timeout=15_000)
        spanish.click()
        # The conclusions' own button (the room check below has one too).
        drafting.locator("[data-role=draft-review]").click()
        expect(spanish).to_contain_text("(reviewed)")
        english.click()
        drafting.get_by_label("Conclusions in English (Markdown)").fill(
            f"## Funding\n\n{CHECK_EN}\n\nOpen a joint fund"
        )
        drafting.get_by_role("button", name="Save the draft").click()
        expect(spanish).to_contain_text("(out of date)")
        spanish.click()
        expect(drafting.locator("[data-role=draft-mark]")).to_have_text(
            "The English text changed after this translation was reviewed. "
            "Translate it again, correct it here, or mark it as still correct."
        )
        expect(drafting.locator("[data-role=draft-review]")).to_have_text("Still correct")
        expect(drafting.locator("[data-role=draft-review]")).to_be_visible()
        again = drafting.get_by_role("button", name="Translate again")
        expect(again).to_be_visible()
        assert violations(console) == []
        console.screenshot(path=str(artifacts / "marks-console-outdated-1440x900.png"))
        assert console.evaluate("document.documentElement.scrollHeight") == 900

        again.click()
        editor = drafting.get_by_label("Conclusions in Spanish (Markdown)")
        expect(editor).to_have_value(
            "## Financiación\n\nLas alianzas necesitan un fondo común\n\nAbrir un fondo conjunto\n"
        )
        expect(drafting.locator("[data-role=draft-mark]")).to_have_text(
            "Machine translation (original: English), not reviewed."
        )
        expect(again).to_be_hidden()
        expect(spanish).to_contain_text("(machine, not reviewed)")
        expect(console.locator("#announcer")).to_have_text("Translated again.")
        console_context.close()
        assert errors == []
