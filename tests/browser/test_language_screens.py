"""Conclusions and room checks in every language, in browsers (issue 18), with the app pointed at a local
server speaking LibreTranslate's API: an English moderator writes the conclusions, the Spanish and French
tabs fill with machine translations marked as such, a Spanish-speaking moderator reviews the Spanish
one by keyboard; a room check put in English reaches a French phone and a Spanish phone in their
languages, marked as machine-made until a moderator reviews it. The console still fits its window."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.test_accessibility import violations
from tests.support.libretranslate import translated_room
from tests.support.pages import console_open, cookie_for, watch_console
from tests.support.room_live import TRILINGUAL_IDEAS, room_prepare
from tests.support.servers import http_join, http_publish

pytestmark = pytest.mark.browser

CONCLUSION = "## Funding\n\nPartnerships need a shared fund"


def test_conclusions_are_drafted_per_language_and_room_checks_reach_each_phone_in_its_language(
    browser, artifacts
):
    with translated_room() as (_translator, server, organizer):
        base = server.base_url
        errors: list[str] = []
        ben = http_join(base, "LED111", name="Ben", actor_type="academia-research", language="es")
        chloe = http_join(base, "LED111", name="Chloé", actor_type="civil-society", language="fr")
        room_prepare(
            server, organizer, [ben, chloe], ideas=TRILINGUAL_IDEAS[:2], agree_first_half=[True, False]
        )

        console_context, console = console_open(browser, base, organizer, errors)
        console.locator("#question-1 [data-view=drafting]").click()
        drafting = console.locator("#question-1 [data-role=drafting]")
        tabs = drafting.get_by_role("tablist", name="Language of the conclusions")
        english, spanish, french = (
            tabs.get_by_role("tab", name=re.compile(f"^{name}"))
            for name in ("English", "Español", "Français")
        )
        expect(english).to_have_attribute("aria-selected", "true")
        # Nothing written anywhere yet, and the console says what will happen.
        expect(spanish).to_contain_text("(empty)")
        drafting.get_by_label("Conclusions in English (Markdown)").fill(CONCLUSION)
        drafting.get_by_role("button", name="Save the draft").click()
        expect(console.locator("#announcer")).to_have_text("Draft saved as version 1.")

        # The translation pass proposes Spanish and French; each tab says it is a machine's.
        expect(spanish).to_contain_text("(machine, not reviewed)", timeout=15_000)
        expect(french).to_contain_text("(machine, not reviewed)")
        expect(english).not_to_contain_text("(")
        # By keyboard: arrows move between the tabs, and the editor follows.
        english.focus()
        console.keyboard.press("ArrowRight")
        expect(spanish).to_be_focused()
        expect(spanish).to_have_attribute("aria-selected", "true")
        editor = drafting.get_by_label("Conclusions in Spanish (Markdown)")
        expect(editor).to_have_value("## Financiación\n\nLas alianzas necesitan un fondo común\n")
        expect(editor).to_have_attribute("lang", "es")
        mark = drafting.locator("[data-role=draft-mark]")
        expect(mark).to_have_text("Machine translation (original: English), not reviewed.")
        expect(drafting.locator("[data-role=draft-status]")).to_have_text("Version 1, machine translation.")
        assert violations(console) == []
        console.screenshot(path=str(artifacts / "languages-console-drafting-es-1440x900.png"))
        assert console.evaluate("document.documentElement.scrollHeight") == 900

        reviewed = drafting.get_by_role("button", name="Reviewed", exact=True)
        reviewed.focus()
        console.keyboard.press("Enter")
        expect(mark).to_have_text(
            re.compile(r"^Machine translation \(original: English\), reviewed by .+ on .+\.$")
        )
        expect(reviewed).to_be_hidden()
        expect(editor).to_be_focused()
        expect(spanish).to_contain_text("(reviewed)")

        # A room check put in English from the English tab.
        english.click()
        drafting.get_by_label("Put a draft conclusion to the room").fill("Partnerships need a shared fund")
        drafting.get_by_role("button", name="Ask the room").click()

        phones = {}
        for name, cookie, locale, width in (("chloe", chloe, "fr-FR", 320), ("ben", ben, "es-AR", 360)):
            context = browser.new_context(viewport={"width": width, "height": 740}, locale=locale)
            cookie_for(context, base, cookie)
            phone = context.new_page()
            watch_console(phone, errors)
            phone.goto(f"{base}/r/LED111/")
            phones[name] = phone
        chloe_check = phones["chloe"].locator("#room-checks li.check-item")
        ben_check = phones["ben"].locator("#room-checks li.check-item")
        expect(chloe_check.locator(".check-text")).to_have_text(
            "Les partenariats ont besoin d'un fonds commun", timeout=15_000
        )
        expect(chloe_check.locator(".check-text")).to_have_attribute("lang", "fr")
        expect(chloe_check).to_contain_text("Traduction automatique de l'anglais.")
        expect(ben_check.locator(".check-text")).to_have_text("Las alianzas necesitan un fondo común")
        expect(ben_check).to_contain_text("Traducción automática del inglés.")
        for name, phone in phones.items():
            assert violations(phone) == [], name
        phones["chloe"].screenshot(path=str(artifacts / "languages-check-fr-320.png"), full_page=True)
        phones["ben"].screenshot(path=str(artifacts / "languages-check-es-360.png"), full_page=True)

        # The moderator reviews the French room check in the French tab: the French phone's mark
        # changes at once; Chloé answers it as usual.
        french.click()
        check_row = drafting.locator("[data-role=checks] li").first
        expect(check_row.locator("blockquote")).to_have_text("Les partenariats ont besoin d'un fonds commun")
        check_row.get_by_role("button", name="Reviewed", exact=True).click()
        expect(check_row).to_contain_text(re.compile(r"reviewed by .+ on"))
        expect(chloe_check).to_contain_text("Traduit de l'anglais.")
        expect(chloe_check).not_to_contain_text("Traduction automatique")
        chloe_check.get_by_role("button", name=re.compile("^D'accord")).click()
        expect(chloe_check.get_by_role("button", name=re.compile("^D'accord"))).to_have_attribute(
            "aria-pressed", "true"
        )

        # A commitment written in English; its Spanish machine translation corrected by hand.
        english.click()
        drafting.get_by_label("What", exact=True).fill("Open a joint fund")
        drafting.get_by_label("Responsible organisation").fill("CONGOPE")
        drafting.get_by_role("button", name="Add the commitment").click()
        spanish.click()
        commitment = drafting.locator("[data-role=commitments] li").first
        expect(commitment.locator("strong")).to_have_text("Abrir un fondo conjunto", timeout=15_000)
        commitment.get_by_role("button", name="Correct the text in Spanish").click()
        field = commitment.get_by_label("Text in Spanish")
        expect(field).to_be_focused()
        field.fill("   ")
        commitment.get_by_role("button", name="Save", exact=True).click()
        # Bad input: the error beside the field, nothing written, the socket still live.
        expect(commitment.locator(".inline-error")).to_have_text("Write something first.")
        expect(field).to_have_attribute("aria-invalid", "true")
        field.fill("Abrir un fondo común")
        commitment.get_by_role("button", name="Save", exact=True).click()
        expect(commitment.locator("strong")).to_have_text("Abrir un fondo común")
        expect(commitment).to_contain_text(re.compile(r"Translation \(original: English\) by .+"))
        expect(console.locator("#connection-status")).to_have_attribute("data-state", "live")

        # Published: a French reader on a phone reads the French text, marked as the machine's.
        http_publish(base, organizer, code="LED111", slug="led-languages")
        reader = phones["chloe"]
        reader.goto(f"{base}/p/led-languages/?lang=fr")
        section = reader.locator("#question-1")
        expect(section.locator(".conclusions")).to_contain_text(
            "Les partenariats ont besoin d'un fonds commun"
        )
        expect(section.locator(".conclusions")).to_have_attribute("lang", "fr")
        expect(section.locator(".translation-mark").first).to_have_text(
            "Traduction automatique (original : anglais), non relue."
        )
        expect(section.locator("#q1-check-1")).to_contain_text(re.compile(r"relue par .+ le"))
        assert violations(reader) == []
        reader.screenshot(path=str(artifacts / "languages-published-fr-320.png"), full_page=True)

        console.set_viewport_size({"width": 1280, "height": 800})
        console.screenshot(path=str(artifacts / "languages-console-drafting-es-1280x800.png"))
        assert console.evaluate("document.documentElement.scrollHeight") == 800
        assert console.evaluate("document.documentElement.scrollWidth") == 1280
        console_context.close()
        for phone in phones.values():
            phone.context.close()
        assert errors == []
