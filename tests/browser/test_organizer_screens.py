"""The organizer's screens in Chromium at 1440x900 and 1280x800, against a real Daphne (issue 15, items
4-6 and 8): the create form shows only the ticked languages' fields and marks each field in error; the
registration list forgives and says why it refused a line; the audit log records organizer actions in
words, filters them and breaks no word in two; "Your roundtables" keeps codes and roles whole;
publishing lists what is missing and asks for confirmation. axe finds nothing in English, Spanish or
French. Screenshots: test-artifacts/screenshots/organizer-*.png."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.test_accessibility import violations
from tests.support.pages import cookie_for, watch_console
from tests.support.servers import daphne_servers, organizer_login, sqlite_database

pytestmark = pytest.mark.browser

SIZES = ((1440, 900), (1280, 800))
LOCALES = {"en": "en-GB", "es": "es-AR", "fr": "fr-FR"}

# Every word of the text under `selector` whose letters sit on more than one line: a word broken in two.
# A hyphen is a place a line may break ("co-/responsibility"), so the parts between hyphens are words.
BROKEN_WORDS = """(selector) => {
  const broken = [];
  for (const root of document.querySelectorAll(selector)) {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    let node;
    while ((node = walker.nextNode())) {
      if (node.parentElement.closest(".visually-hidden")) continue;
      const words = /[^\\s\\-]+/g;
      let match;
      while ((match = words.exec(node.textContent))) {
        const range = document.createRange();
        range.setStart(node, match.index);
        range.setEnd(node, match.index + match[0].length);
        const lines = new Set(
          [...range.getClientRects()].filter((rect) => rect.width > 0).map((rect) => Math.round(rect.top)),
        );
        if (lines.size > 1) broken.push(match[0]);
      }
    }
  }
  return broken;
}"""


@pytest.fixture(scope="module")
def served():
    with sqlite_database() as env, daphne_servers(env) as (server,):
        yield server, organizer_login(env, server.base_url)


def open_page(browser, served, path: str, *, size=(1440, 900), language: str = "en"):
    server, organizer = served
    context = browser.new_context(viewport={"width": size[0], "height": size[1]}, locale=LOCALES[language])
    cookie_for(context, server.base_url, organizer)
    page = context.new_page()
    page.goto(server.base_url + path)
    return context, page


def test_your_roundtables_keeps_codes_and_roles_whole(browser, served, artifacts):
    for width, height in SIZES:
        context, page = open_page(browser, served, "/organize/", size=(width, height))
        table = page.locator("table.data")
        expect(table).to_contain_text("LED111")
        expect(table).to_contain_text("Organizer")
        assert page.evaluate(BROKEN_WORDS, "main table") == []
        page.screenshot(path=str(artifacts / f"organizer-home-{width}x{height}.png"), full_page=True)
        context.close()


def test_the_create_form_shows_only_ticked_languages_and_marks_each_field_in_error(
    browser, served, artifacts
):
    errors: list[str] = []
    for language, (spanish_title, summary, message) in {
        "en": ("Title in Español", "2 fields need your attention", "Give the title in Español."),
        "es": ("Título en Español", "2 campos necesitan tu atención", "Da el título en Español."),
        "fr": ("Titre en Español", "2 champs demandent votre attention", "Donnez le titre en Español."),
    }.items():
        context, page = open_page(browser, served, "/organize/new/", language=language)
        watch_console(page, errors)
        french = page.locator('fieldset[data-language="fr"]')
        spanish = page.locator('fieldset[data-language="es"]')
        expect(french).to_be_visible()
        page.locator('input[name="languages"][value="fr"]').uncheck()
        expect(french).to_be_hidden()
        expect(spanish).to_be_visible()
        page.locator('input[name="languages"][value="fr"]').check()
        expect(french).to_be_visible()
        page.locator('input[name="languages"][value="fr"]').uncheck()

        page.locator("#id_title_en").fill("Alliances")
        page.locator("#id_questions_en").fill("One?\nTwo?")
        page.locator("#id_questions_es").fill("¿Una?")
        page.locator("#roundtable-new button[type=submit]").click()

        expect(page.locator("#form-summary")).to_contain_text(summary)
        title = page.get_by_label(spanish_title)
        expect(title).to_have_attribute("aria-invalid", "true")
        expect(title).to_have_accessible_description(message)
        expect(title).to_be_focused()
        expect(page.locator("#id_questions_es")).to_have_attribute("aria-invalid", "true")
        expect(page.locator("#id_title_en")).not_to_have_attribute("aria-invalid", "true")
        expect(french).to_be_hidden()
        # The fields that were typed are kept.
        expect(page.locator("#id_questions_en")).to_have_value("One?\nTwo?")
        assert violations(page) == [], language
        if language == "en":
            page.screenshot(path=str(artifacts / "organizer-new-errors-1440x900.png"), full_page=True)
            page.set_viewport_size({"width": 1280, "height": 800})
            page.screenshot(path=str(artifacts / "organizer-new-errors-1280x800.png"))
        context.close()
    # The refused form comes back with 400, which Chromium logs; nothing else may go wrong.
    assert [error for error in errors if "status of 400" not in error] == []


def test_the_organize_page_records_actions_in_words_filters_them_and_breaks_no_word(
    browser, served, artifacts, tmp_path
):
    context, page = open_page(browser, served, "/r/LED111/organize/")
    # Organizer actions, through the page.
    page.locator("#registrant_email").fill("ana@example.org")
    page.locator("#registrant_actor_type").select_option(label="Small or medium enterprise")
    page.get_by_role("button", name="Add", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("ana@example.org is on the list.")
    listing = tmp_path / "people.csv"
    listing.write_text(
        "E-mail;Full name;Actor_Type\nben@example.org;Ben;Gobierno local\nchloe@example.org;Chloé;Wizards\n",
        encoding="utf-8",
    )
    page.locator("#id_file").set_input_files(str(listing))
    page.get_by_role("button", name="Upload", exact=True).click()
    status = page.get_by_role("status")
    expect(status).to_contain_text("Added 1, already listed 0, left out 1.")
    expect(status).to_contain_text("Line 3: “Wizards” is not one of this roundtable's actor types.")
    registered = page.locator("#registrants-caption").locator("xpath=..")
    expect(registered).to_contain_text("Local government")
    expect(registered).to_contain_text("Small or medium enterprise")
    page.locator("#invite_email").fill("mod@example.org")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_role("status")).to_contain_text("Invitation sent to mod@example.org.")
    page.get_by_label("Seats").fill("140")
    page.get_by_role("button", name="Save the settings").click()
    expect(page.get_by_role("status")).to_contain_text("Settings saved.")
    # The label "Email" of each form focuses its own field (the ids used to be the same).
    page.locator('label[for="registrant_email"]').click()
    expect(page.locator("#registrant_email")).to_be_focused()

    log = page.locator("#audit-log")
    for label in (
        "Person added to the registration list",
        "Registration list uploaded",
        "Moderator or organizer invited",
        "Settings changed",
    ):
        expect(log).to_contain_text(label)
    expect(log).to_contain_text("Seats: 150 → 140")
    expect(log).to_contain_text("Lines left out: 3")
    for raw in ("registrant.add", "registrants.upload", "invitation.create", "roundtable.settings"):
        expect(log).not_to_contain_text(raw)

    for width, height in SIZES:
        page.set_viewport_size({"width": width, "height": height})
        assert page.evaluate(BROKEN_WORDS, "#audit-log") == [], f"a word broken in two at {width}px"
        page.locator("#audit").screenshot(path=str(artifacts / f"organizer-audit-{width}x{height}.png"))

    # Filters: by action, then by person, by keyboard-usable selects and a button.
    page.get_by_label("Action", exact=True).select_option(label="Settings changed")
    page.get_by_role("button", name="Show", exact=True).click()
    expect(log.locator("tbody tr")).to_have_count(1)
    expect(log).to_contain_text("Settings changed")
    expect(page.get_by_role("link", name="Export these entries (CSV)")).to_have_attribute(
        "href", re.compile(r"audit\.csv\?action=roundtable\.settings")
    )
    page.get_by_role("link", name="Show everything").click()
    expect(log.locator("tbody tr")).to_have_count(4)
    page.get_by_label("Person", exact=True).select_option(index=1)
    page.get_by_role("button", name="Show", exact=True).click()
    expect(log.locator("tbody tr")).to_have_count(4)
    page.screenshot(path=str(artifacts / "organizer-organize-1440x900.png"), full_page=True)
    context.close()

    for language, label in (("es", "Persona añadida a la lista de inscripción"), ("fr", "Réglages modifiés")):
        context, page = open_page(browser, served, "/r/LED111/organize/", language=language)
        expect(page.locator("#audit-log")).to_contain_text(label)
        assert page.evaluate(BROKEN_WORDS, "#audit-log") == []
        assert violations(page) == [], language
        page.locator("#audit").screenshot(path=str(artifacts / f"organizer-audit-{language}-1440x900.png"))
        # Reflow: on a 320-px phone the page never scrolls sideways (the tables scroll in their region).
        page.set_viewport_size({"width": 320, "height": 740})
        sideways = "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        assert page.evaluate(sideways) <= 0, f"the page scrolls sideways at 320 px in {language}"
        context.close()
    context, page = open_page(browser, served, "/r/LED111/organize/", size=(1280, 800))
    assert violations(page) == []
    context.close()


def test_publishing_lists_what_is_missing_and_asks_for_confirmation(browser, served, artifacts):
    for language, (publish, missing, confirm) in {
        "es": ("Publicar", "4 preguntas no tienen conclusiones todavía:", "Sí, publicar la versión 1"),
        "fr": ("Publier", "4 questions n'ont pas encore de conclusions :", "Oui, publier la version 1"),
    }.items():
        context, page = open_page(browser, served, "/r/LED111/document/", language=language)
        expect(page.locator("#publish-gaps")).to_contain_text(missing)
        page.get_by_role("button", name=publish, exact=True).click()
        expect(page.get_by_role("button", name=confirm)).to_be_visible()
        assert violations(page) == [], language
        context.close()

    context, page = open_page(browser, served, "/r/LED111/document/", size=(1280, 800))
    gaps = page.locator("#publish-gaps")
    expect(gaps).to_contain_text("4 questions have no conclusions yet:")
    expect(gaps).to_contain_text("Question 2")
    page.get_by_label("What changed in this version").fill("First version.")
    page.get_by_role("button", name="Publish", exact=True).click()
    confirmation = page.locator("#publish-confirm")
    heading = confirmation.locator("#confirm-heading")
    expect(heading).to_have_text("Publish version 1 now?")
    expect(heading).to_be_focused()
    expect(confirmation).to_contain_text("4 questions have no conclusions yet:")
    assert violations(page) == []
    confirmation.screenshot(path=str(artifacts / "organizer-publish-confirm-1280x800.png"))
    page.set_viewport_size({"width": 1440, "height": 900})
    confirmation.screenshot(path=str(artifacts / "organizer-publish-confirm-1440x900.png"))

    # Not yet: nothing is published.
    page.get_by_role("link", name="Not yet: back to the review").click()
    expect(page.locator("main")).not_to_contain_text("Published versions")
    page.get_by_role("button", name="Publish", exact=True).click()
    page.get_by_role("button", name="Yes, publish version 1").click()
    expect(page).to_have_url(re.compile(r"/p/led111/v1/$"))
    context.close()
