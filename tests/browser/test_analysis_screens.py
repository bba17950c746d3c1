"""Themes, opinion groups and balance in the browser: a participant on a phone sees the themes of the
room's proposals and where the groups stand (as a map and as text), a moderator renames a theme from
the console and the participant and the projector see the new name at once; with a translation server,
French and Spanish phones and the projector name the same themes, each in its own language."""

import pytest
from playwright.sync_api import expect

from tests.support.libretranslate import libretranslate_server
from tests.support.pages import cookie_for, sign_in, watch_console
from tests.support.room_live import (
    TRILINGUAL_IDEAS,
    command,
    in_thread,
    open_socket,
    room_fill,
    room_prepare,
)
from tests.support.servers import (
    daphne_servers,
    organizer_login,
    organizer_password,
    people_join,
    sqlite_database,
)

pytestmark = pytest.mark.browser


def test_themes_and_opinion_groups_on_the_phone_console_and_projector(browser, artifacts):
    with sqlite_database() as env:
        env = {**env, "ROUNDTABLE_ANALYSIS_INTERVAL_SECONDS": "0.3", "ROUNDTABLE_TIMER_TICK_SECONDS": "0.1"}
        with daphne_servers(env) as (server,):
            base = server.base_url
            errors: list[str] = []
            password = organizer_password(env, base, "org@example.org")
            people = people_join(base)

            organizer = browser.new_context(viewport={"width": 1280, "height": 1000}, locale="en-GB")
            console = organizer.new_page()
            console.on("pageerror", lambda error: errors.append(str(error)))
            sign_in(console, base, email="org@example.org", password=password)
            console.goto(f"{base}/r/LED111/moderate/")
            expect(console.locator("#connection-status")).to_have_text("Live")
            first = console.locator("#question-1")
            first.get_by_role("button", name="Collecting proposals").click()
            expect(first.locator("[data-role=state]")).to_have_text("Collecting proposals")

            async def fill_room():
                sockets = [(await open_socket(server, cookie))[0] for cookie in people]
                question = (await open_socket(server, people[0]))[1]["questions"][0]["id"]
                await room_fill(
                    sockets=sockets,
                    question=question,
                    ideas=TRILINGUAL_IDEAS,
                    agree_first_half=[True, False, True, False],
                )
                for socket in sockets:
                    await socket.close()

            in_thread(fill_room())

            # Ana, on a phone, in Spanish.
            phone = browser.new_context(viewport={"width": 360, "height": 740}, locale="es-AR")
            cookie_for(phone, base, people[0])
            ana = phone.new_page()
            ana.on("pageerror", lambda error: errors.append(str(error)))
            ana.goto(f"{base}/r/LED111/")
            section = ana.locator("#question-1")
            themes = section.locator("[data-role=themes] > li")
            expect(themes).to_have_count(2, timeout=20_000)
            # The fund idea in three languages is one theme, open data the other, each of 3 proposals.
            fund, data = themes.filter(has_text="fondo"), themes.filter(has_text="datos")
            expect(fund).to_have_count(1)
            expect(fund).to_contain_text("3 propuestas")
            expect(data).to_have_count(1)
            expect(data).to_contain_text("3 propuestas")
            # The opinion map is drawn, and said in words: two groups, and which one Ana is in.
            expect(section.locator("[data-role=map] svg")).to_be_visible()
            text = section.locator("[data-role=map-text]")
            expect(text).to_contain_text("2 grupos de opinión")
            expect(text).to_contain_text("Tus votos te ubican en el Grupo")
            expect(text).not_to_contain_text("null")
            # Shares are shown as people read them ("50 %"), not as the catalogue writes them ("50 %%").
            expect(section.locator("[data-role=themes]")).to_contain_text("50 % de acuerdo")
            # The labels are in Spanish where Spanish proposals exist.
            expect(section.locator("[data-role=themes]")).to_contain_text("fondo")

            projector = organizer.new_page()
            projector.goto(f"{base}/r/LED111/screen/?lang=en")
            expect(projector.locator("#themes > li")).to_have_count(2, timeout=10_000)

            # The moderator names the fund theme; everyone sees the name live.
            # Themes are in the room pane; each opens on its proposals and changes.
            room = console.locator("#room-1")
            expect(room).to_be_visible()
            fund_theme = room.locator("[data-role=themes] li", has_text="fund").first
            fund_theme.locator("summary").click()
            fund_theme.get_by_role("button", name="Rename").click()
            fund_theme.get_by_label("Name of theme").fill("Common investment fund")
            fund_theme.get_by_role("button", name="Save").click()
            expect(section.locator("[data-role=themes]")).to_contain_text("Common investment fund")
            expect(projector.locator("#themes")).to_contain_text("Common investment fund")
            expect(room.locator("[data-role=themes]")).to_contain_text("Common investment fund")
            # The console rebuilt the list once the form closed, and keyboard focus is back on that theme.
            focused_theme = console.evaluate("document.activeElement.closest('.theme')?.textContent ?? ''")
            assert "Common investment fund" in focused_theme
            # Balance on the console: everyone who joined has proposed and voted.
            expect(console.locator("#balance table")).to_contain_text("Local government")

            ana.screenshot(path=str(artifacts / "analysis-participant-es-360.png"), full_page=True)
            projector.set_viewport_size({"width": 1920, "height": 1080})
            projector.screenshot(path=str(artifacts / "analysis-projector-1920.png"))
            # Four people of four actor types: each type is too small to name in a group, and a group
            # is not described as "Other actor types: 2", which says no more than its size.
            groups = projector.locator("[data-role=map-text] .groups")
            expect(groups).to_contain_text("2 people")
            expect(groups).not_to_contain_text("Other actor types")
            # Whatever the wall had to drop to fit, no list heading of the map stands over nothing.
            orphans = projector.evaluate(
                """() => [...document.querySelectorAll('[data-role=map-text] p > strong:only-child')]
                    .filter((heading) => heading.checkVisibility())
                    .filter((heading) => !heading.parentElement.nextElementSibling?.checkVisibility())
                    .map((heading) => heading.textContent)"""
            )
            assert orphans == []
            console.screenshot(path=str(artifacts / "analysis-console.png"), full_page=True)
            phone.close()
            organizer.close()
            assert errors == []


# One idea per language and theme, as the translation server knows them. Nobody writes about open data
# in French: French phones can only read that theme's name through the server.
FUND = {
    "en": "Create a joint investment fund for local projects",
    "es": "Crear un fondo común de inversión para proyectos locales",
    "fr": "Créer un fonds d'investissement commun pour les projets locaux",
}
DATA = {
    "en": "Publish all partnership data openly on a shared platform",
    "es": "Publicar en abierto todos los datos de la alianza",
    "fr": "Publier ouvertement toutes les données du partenariat",
}
DATA_AGAIN = {**DATA, "es": "Publicar los datos de la alianza en una plataforma abierta"}


def theme_names(page) -> dict[str, str]:
    """Theme number -> the name shown, for the themes (not the unsorted proposals) of question 1."""
    items = page.locator("[data-role=themes] > li.theme:not(.theme-unsorted), #themes > li.screen-theme")
    return {
        item.get_attribute("data-theme"): item.locator(".theme-title strong").inner_text()
        for item in items.all()
        if item.get_attribute("data-theme") != "unsorted"
    }


def test_french_and_spanish_phones_and_the_projector_name_the_same_themes_each_in_its_language(
    browser, artifacts
):
    with libretranslate_server() as translator, sqlite_database() as env:
        translator.phrases = [FUND, DATA, DATA_AGAIN]
        env = {
            **env,
            "ROUNDTABLE_ANALYSIS_INTERVAL_SECONDS": "0.3",
            "ROUNDTABLE_TRANSLATE_URL": translator.url,
            "ROUNDTABLE_TRANSLATE_TIMEOUT_SECONDS": "2",
        }
        with daphne_servers(env) as (server,):
            base = server.base_url
            errors: list[str] = []
            organizer = organizer_login(env, base)
            ana, ben, chloe, dan = people_join(base)
            room_prepare(
                server,
                organizer,
                [ana, ben, chloe, dan],
                ideas=[FUND["en"], FUND["es"], FUND["fr"], DATA["en"], DATA["es"], DATA_AGAIN["es"]],
                agree_first_half=[True, False, True, False],
            )

            screens = {}
            for who, language, locale, width in ((chloe, "fr", "fr-FR", 320), (ana, "es", "es-AR", 360)):
                context = browser.new_context(viewport={"width": width, "height": 740}, locale=locale)
                cookie_for(context, base, who)
                page = context.new_page()
                watch_console(page, errors)
                page.goto(f"{base}/r/LED111/")
                screens[language] = page
            wall = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="en-GB")
            cookie_for(wall, base, organizer)
            projector = wall.new_page()
            watch_console(projector, errors)
            projector.goto(f"{base}/r/LED111/screen/?lang=en")
            screens["en"] = projector

            # Each screen names two themes, the fund and open data, in its own language: the French
            # data theme's name comes from the translation server, no French proposal being about it.
            expected = {
                "fr": ({FUND["fr"]}, {DATA["fr"]}),
                "es": ({FUND["es"]}, {DATA["es"], DATA_AGAIN["es"]}),
                "en": ({FUND["en"]}, {DATA["en"]}),
            }
            numbers = {}
            for language, page in screens.items():
                items = page.locator("[data-role=themes] > li.theme, #themes > li.screen-theme")
                fund_names, data_names = expected[language]
                expect(items.filter(has_text=next(iter(fund_names)))).to_have_count(1, timeout=20_000)
                expect(items.filter(has_text=DATA[language] if language != "es" else "datos")).to_have_count(
                    1, timeout=20_000
                )
                names = theme_names(page)
                assert len(names) == 2, (language, names)
                fund = next(number for number, name in names.items() if name in fund_names)
                data = next(number for number, name in names.items() if name in data_names)
                numbers[language] = (fund, data)
                assert "→" not in page.locator("body").inner_text(), "no untranslated echo is shown"
            # The same themes: the fund is the same theme number on every screen, and so is open data.
            assert numbers["fr"] == numbers["es"] == numbers["en"], numbers
            assert any(request.get("target") == "fr" for request in translator.requests)

            # The moderators' console names them as the projector does.
            console = wall.new_page()
            watch_console(console, errors)
            console.set_viewport_size({"width": 1440, "height": 900})
            console.goto(f"{base}/r/LED111/moderate/")
            room = console.locator("#room-1 [data-role=themes]")
            expect(room).to_contain_text(FUND["en"], timeout=10_000)
            expect(room).to_contain_text(DATA["en"])
            console.screenshot(path=str(artifacts / "themes-named-console-1440.png"))

            # A moderator splits one proposal off the fund theme: a group of one is not a theme, every
            # screen lists it under the unsorted proposals, in its own language.
            async def split_one_off():
                socket, snapshot = await open_socket(server, organizer)
                question = snapshot["questions"][0]["id"]
                [listed] = [entry for entry in snapshot["themes"] if entry["question"] == question]
                fund_theme = next(
                    theme for theme in listed["themes"] if theme["number"] == int(numbers["en"][0])
                )
                await command(
                    socket,
                    {
                        "type": "theme.split",
                        "id": "split",
                        "question": question,
                        "theme": fund_theme["number"],
                        "proposals": fund_theme["proposals"][:1],
                    },
                )
                await socket.close()

            in_thread(split_one_off())
            unsorted = {
                "fr": "Propositions non classées",
                "es": "Propuestas sin clasificar",
                "en": "Unsorted proposals",
            }
            for language, page in screens.items():
                item = page.locator("[data-role=themes] > li.theme-unsorted, #themes > li.theme-unsorted")
                expect(item).to_contain_text(unsorted[language], timeout=10_000)
                expect(item).not_to_contain_text("Th")  # no theme number: "Thème", "Theme"
                assert len(theme_names(page)) == 2, "the split-off proposal is not a third theme"
            expect(room.locator("li.theme-unsorted")).to_contain_text("Unsorted proposals")
            unsorted_box = screens["fr"].locator("[data-role=themes] > li.theme-unsorted")
            unsorted_box.get_by_text("Les voir (1)").click()
            expect(unsorted_box.locator("details li")).to_have_count(1)
            room.locator("li.theme-unsorted").scroll_into_view_if_needed()
            # The fund theme lost its English proposal: the next run asks the server for its English name.
            fund_title = projector.locator(f"#screen-theme-{numbers['en'][0]} .theme-title strong")
            expect(fund_title).to_have_text(FUND["en"], timeout=20_000)
            console.screenshot(path=str(artifacts / "themes-unsorted-console-1440.png"))
            projector.screenshot(path=str(artifacts / "themes-unsorted-projector-1920.png"))
            screens["fr"].screenshot(path=str(artifacts / "themes-named-fr-320.png"), full_page=True)
            screens["es"].screenshot(path=str(artifacts / "themes-named-es-360.png"), full_page=True)
            projector.screenshot(path=str(artifacts / "themes-named-projector-1920.png"))
            assert errors == []
