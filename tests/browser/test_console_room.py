"""The moderator console as a control room (issue 15), in Chromium at 1440x900 and 1280x800, in English,
Spanish and French, with a busy question: 34 proposals, four awaiting approval, one held after reports, a
likely duplicate pair, themes and opinion groups. The page fits the window and each pane scrolls on its
own; the decisions queue and the open question's phase and countdown are always in view; shortcuts work
from the keyboard alone; drafting shows once; an error shows next to the control that caused it; the
balance table's columns line up; axe finds nothing."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.support.pages import cookie_for, watch_console
from tests.support.room_live import command, in_thread, open_socket
from tests.support.servers import daphne_servers, http_join, organizer_login, sqlite_database

pytestmark = pytest.mark.browser

LOCALES = {"en": "en-GB", "es": "es-AR", "fr": "fr-FR"}
SIZES = [(1440, 900), (1280, 800)]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

# Thirty ideas on ten topics, in the three languages, as a real room writes them.
IDEAS = [
    "Create a joint investment fund for local projects",
    "Crear un fondo común de inversión para proyectos locales",
    "Créer un fonds d'investissement commun pour les projets locaux",
    "Publish all partnership data openly on a shared platform",
    "Publicar en abierto todos los datos de la alianza",
    "Publier en open data toutes les données du partenariat",
    "Train municipal staff in participatory budgeting",
    "Formar al personal municipal en presupuestos participativos",
    "Former les agents municipaux aux budgets participatifs",
    "Give cooperatives priority in public procurement",
    "Dar prioridad a las cooperativas en la contratación pública",
    "Donner la priorité aux coopératives dans les marchés publics",
    "Hold a yearly forum where citizens review the agreements",
    "Celebrar un foro anual donde la ciudadanía revise los acuerdos",
    "Organiser un forum annuel où les citoyens évaluent les accords",
    "Fund broadband for rural small businesses",
    "Financiar la banda ancha para pequeñas empresas rurales",
    "Financer le haut débit pour les petites entreprises rurales",
    "Set shared indicators to measure local development",
    "Definir indicadores comunes para medir el desarrollo local",
    "Fixer des indicateurs communs pour mesurer le développement local",
    "Let universities lend researchers to city departments",
    "Que las universidades cedan investigadores a los municipios",
    "Que les universités prêtent des chercheurs aux services municipaux",
    "Create a one-stop desk for social enterprises",
    "Crear una ventanilla única para empresas sociales",
    "Créer un guichet unique pour les entreprises sociales",
    "Protect local markets from speculative rents",
    "Proteger los mercados locales de los alquileres especulativos",
    "Protéger les marchés locaux des loyers spéculatifs",
]
# Near-identical: the analysis lists them as likely duplicates.
DUPLICATE = "Create a joint investment fund for all local projects"
PENDING = [
    "Open the city's procurement calendar a year ahead",
    "Abrir el calendario de compras públicas con un año de antelación",
    "Ouvrir le calendrier des achats publics un an à l'avance",
    "Pay small suppliers within thirty days",
]
PEOPLE = [
    ("Ana", "government-local", "es"),
    ("Ben", "academia-research", "en"),
    ("Chloé", "civil-society", "fr"),
    ("Dan", "sme", "en"),
    ("Eva", "government-local", "es"),
]


@pytest.fixture(scope="module")
def busy_room():
    with sqlite_database() as env:
        env = {
            **env,
            "ROUNDTABLE_ANALYSIS_INTERVAL_SECONDS": "0.3",
            "ROUNDTABLE_FLAG_MIN_SEAT_AGE_SECONDS": "0",
            # Five people write 36 proposals in a minute (the default allows 6 each per minute).
            "ROUNDTABLE_PROPOSALS_PER_MINUTE": "20",
        }
        with daphne_servers(env) as (server,):
            organizer = organizer_login(env, server.base_url)
            people = [
                http_join(server.base_url, "LED111", name=name, actor_type=actor, language=language)
                for name, actor, language in PEOPLE
            ]
            in_thread(fill(server, organizer, people))
            yield server, organizer


async def fill(server, organizer: str, people: list[str]) -> None:
    moderator, snapshot = await open_socket(server, organizer)
    first, second = (question["id"] for question in snapshot["questions"][:2])
    sockets = [(await open_socket(server, cookie))[0] for cookie in people]
    count = 0

    async def send(socket, frame):
        nonlocal count
        count += 1
        return (await command(socket, {**frame, "id": f"c{count}"}))["ack"]

    await send(moderator, {"type": "question.phase", "question": second, "state": "collecting"})
    await send(
        moderator,
        {
            "type": "question.phase",
            "question": first,
            "state": "collecting",
            "duration_seconds": 3600,
            "then": "voting",
        },
    )
    ids = []
    for index, text in enumerate([*IDEAS, DUPLICATE]):
        ack = await send(sockets[index % 5], {"type": "proposal.submit", "question": first, "text": text})
        ids.append(ack["result"]["proposal"])
    # Enough votes for opinion groups: two camps.
    for person, socket in enumerate(sockets):
        for index, proposal in enumerate(ids[:12]):
            choice = "agree" if (index % 2 == 0) == (person % 2 == 0) else "disagree"
            await send(socket, {"type": "vote.cast", "proposal": proposal, "choice": choice})
    # Three reports hold a proposal for review.
    for socket in sockets[1:4]:
        await send(socket, {"type": "proposal.flag", "proposal": ids[0]})
    await send(moderator, {"type": "question.settings", "question": first, "premoderation": True})
    for index, text in enumerate(PENDING):
        await send(sockets[index], {"type": "proposal.submit", "question": first, "text": text})
    await send(
        sockets[4], {"type": "proposal.submit", "question": second, "text": "A regional guarantee fund"}
    )
    for socket in [moderator, *sockets]:
        await socket.close()


def open_console(browser, server, organizer, *, language: str, size: tuple[int, int], errors: list[str]):
    width, height = size
    context = browser.new_context(viewport={"width": width, "height": height}, locale=LOCALES[language])
    cookie_for(context, server.base_url, organizer)
    page = context.new_page()
    watch_console(page, errors)
    page.goto(f"{server.base_url}/r/LED111/moderate/")
    expect(page.locator("#connection-status")).to_have_attribute("data-state", "live")
    expect(page.locator("#question-1 [data-role=proposals] > li")).to_have_count(35, timeout=15_000)
    expect(page.locator("#room-1 [data-role=themes] > li").first).to_be_visible(timeout=30_000)
    expect(page.locator("#duplicates > li").first).to_be_visible(timeout=30_000)
    return page


def box(page, selector: str) -> dict:
    return page.locator(selector).first.evaluate(
        "node => { const r = node.getBoundingClientRect();"
        " return {x: r.x, y: r.y, width: r.width, height: r.height, bottom: r.bottom, right: r.right}; }"
    )


def in_view(where: dict, width: int, height: int) -> bool:
    return where["x"] >= 0 and where["y"] >= 0 and where["right"] <= width and where["bottom"] <= height


def scroll_alone(page, pane: str) -> None:
    """Scrolling one pane moves it and nothing else: not the page, not the other panes."""
    moved = page.evaluate(
        """pane => {
          const panes = [...document.querySelectorAll('main.console > .pane')];
          const target = document.querySelector(pane);
          const before = panes.map(p => p.scrollTop);
          target.scrollTop = 400;
          const after = panes.map(p => p.scrollTop);
          const result = {
            overflows: target.scrollHeight > target.clientHeight,
            moved: target.scrollTop > 0,
            others: panes.filter(p => p !== target).every((p, i) => p.scrollTop === before[panes.indexOf(p)]),
            page: window.scrollY,
          };
          target.scrollTop = 0;
          return result;
        }""",
        pane,
    )
    assert moved == {"overflows": True, "moved": True, "others": True, "page": 0}, (pane, moved)


@pytest.mark.parametrize("size", SIZES, ids=lambda size: f"{size[0]}x{size[1]}")
@pytest.mark.parametrize("language", LOCALES)
def test_the_console_fits_the_window_with_each_pane_scrolling(browser, busy_room, artifacts, language, size):
    server, organizer = busy_room
    errors: list[str] = []
    page = open_console(browser, server, organizer, language=language, size=size, errors=errors)
    width, height = size
    page.screenshot(path=str(artifacts / f"console-{language}-{width}x{height}.png"))

    # No page scroll: the document is exactly the window.
    assert page.evaluate("document.documentElement.scrollHeight") == height
    assert page.evaluate("document.documentElement.scrollWidth") == width

    # The decisions queue and the open question's phase and countdown are in view.
    expect(page.locator("#queue > li")).to_have_count(4)
    expect(page.locator("#flagged > li")).to_have_count(1)
    for selector in (
        "#queue-heading",
        "#queue > li",
        "#question-1 [data-role=state]",
        "#question-1 [data-role=countdown]",
    ):
        assert in_view(box(page, selector), width, height), selector
    # The tab says the question's phase and countdown too.
    expect(page.locator("#tab-1 [data-role=tab-countdown]")).to_be_visible()
    expect(page.locator("#tab-2 [data-role=tab-state]")).not_to_have_text("")

    for pane in (".pane-queue", ".pane-question", ".pane-room"):
        scroll_alone(page, pane)
    # The phase and countdown stay in view while the proposals scroll under them.
    page.evaluate("document.querySelector('.pane-question').scrollTop = 1500")
    assert in_view(box(page, "#question-1 [data-role=countdown]"), width, height)
    page.evaluate("document.querySelector('.pane-question').scrollTop = 0")

    # Drafting is not under every question: one panel, in its own view.
    expect(page.locator("[data-role=drafting]:visible")).to_have_count(0)
    page.locator("#question-1 [data-view=drafting]").click()
    expect(page.locator("[data-role=drafting]:visible")).to_have_count(1)
    expect(page.locator("#question-1 [data-role=proposals]")).to_be_hidden()
    page.screenshot(path=str(artifacts / f"console-drafting-{language}-{width}x{height}.png"))
    page.locator("#question-1 [data-view=steer]").click()
    expect(page.locator("#question-1 [data-role=proposals]")).to_be_visible()

    # The balance table's columns line up: each header cell is as wide as, and above, its data cells.
    table = page.locator("#balance table")
    expect(table).to_be_visible()
    columns = table.evaluate(
        """table => [...table.tHead.rows[0].cells].map((head, i) => {
          const h = head.getBoundingClientRect();
          return [...table.tBodies[0].rows].map(row => {
            const c = row.cells[i].getBoundingClientRect();
            const filled = row.cells[i].textContent.trim() !== '';
            return [Math.round(h.x - c.x), Math.round(h.width - c.width), filled];
          });
        })"""
    )
    assert columns and all(cell == [0, 0, True] for column in columns for cell in column), columns
    # ...and the whole table fits its pane: no column is cut off or needs scrolling sideways.
    region = page.locator("#balance .table-scroll")
    assert region.evaluate("node => node.scrollWidth - node.clientWidth") == 0

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
    assert len(results.response["passes"]) > 10
    assert [item["id"] for item in results.response["violations"]] == [], results.response["violations"]
    assert errors == []
    page.context.close()


MERGE_FIRST = {
    "en": "Choose the proposal to merge into first.",
    "es": "Elige primero la propuesta en la que fusionarla.",
    "fr": "Choisissez d'abord la proposition dans laquelle fusionner.",
}
EMPTY_CORRECTION = {
    "en": "The corrected text is empty.",
    "es": "El texto corregido está vacío.",
    "fr": "Le texte corrigé est vide.",
}


def near(page, error: str, control: str) -> None:
    """The error is visible, within a few lines of its control, and was announced."""
    expect(page.locator(error)).to_be_visible()
    gap = box(page, error)["y"] - box(page, control)["bottom"]
    assert -5 <= gap <= 120, (error, control, gap)
    expect(page.locator("#alerts")).to_have_text(page.locator(error).inner_text().strip())


@pytest.mark.parametrize("language", LOCALES)
def test_an_error_shows_next_to_the_control_that_caused_it(browser, busy_room, artifacts, language):
    server, organizer = busy_room
    errors: list[str] = []
    page = open_console(browser, server, organizer, language=language, size=(1280, 800), errors=errors)
    card = page.locator("#question-1 [data-role=proposals] > li[data-status=visible]").nth(1)

    # "Merge into…" without a target: said in the form, on its select.
    card.locator("[data-menu]").click()
    card.locator("[data-action=merge]").click()
    form = card.locator("form.inline-edit")
    form.locator("button[type=submit]").click()
    expect(form.locator(".inline-error")).to_have_text(MERGE_FIRST[language])
    expect(form.locator("select")).to_have_attribute("aria-invalid", "true")
    near(page, f"#{card.get_attribute('id')} .inline-error", f"#{card.get_attribute('id')} form select")
    page.screenshot(path=str(artifacts / f"console-error-{language}-1280x800.png"))
    form.locator("select").press("Escape")
    expect(form).to_have_count(0)

    # Saving an empty correction.
    card.locator("[data-menu]").click()
    card.locator("[data-action=edit]").click()
    card.locator("form textarea").fill("")
    card.locator("form button[type=submit]").click()
    expect(card.locator("form .inline-error")).to_contain_text(EMPTY_CORRECTION[language])
    near(page, f"#{card.get_attribute('id')} .inline-error", f"#{card.get_attribute('id')} form textarea")
    card.locator("form [data-cancel]").click()

    # The server refuses a countdown of five hours: its message, in the page's language, by the field.
    phase = page.locator("#question-1 .phase-controls")
    phase.locator("[data-role=minutes]").fill("300")
    phase.locator("[data-phase=voting]").click()
    expect(phase.locator(".inline-error")).to_contain_text("240")
    expect(phase.locator("[data-role=minutes]")).to_have_attribute("aria-invalid", "true")
    near(page, "#question-1 .phase-controls .inline-error", "#question-1 .timer-fields")
    expect(page.locator("#question-1 [data-role=state]")).to_have_attribute("data-state", "collecting")
    # Correcting the field clears it.
    phase.locator("[data-role=minutes]").fill("")
    expect(phase.locator(".inline-error")).to_have_count(0)
    assert errors == []
    page.context.close()


def test_shortcuts_approve_hide_and_move_on_from_the_keyboard_alone(browser, busy_room, artifacts):
    server, organizer = busy_room
    errors: list[str] = []
    page = open_console(browser, server, organizer, language="en", size=(1440, 900), errors=errors)
    shortcuts = page.locator("#shortcuts")
    expect(shortcuts).to_be_visible()
    expect(shortcuts).to_contain_text("Approve")
    expect(page.locator("#queue [data-action=approve]").first).to_have_attribute("aria-keyshortcuts", "A")
    queued = page.locator("#queue > li")
    expect(queued).to_have_count(4)
    first_id, second_id, third_id = (queued.nth(i).get_attribute("data-proposal-id") for i in range(3))
    focused = "document.activeElement.id"

    # J: to the first item waiting for a decision; A approves it, and focus goes on to the next one.
    page.keyboard.press("j")
    assert page.evaluate(focused) == f"queue-{first_id}"
    page.keyboard.press("a")
    expect(page.locator(f"#queue-{first_id}")).to_have_count(0)
    expect(page.locator(f"#proposal-{first_id}")).to_have_attribute("data-status", "visible")
    expect(page.locator(f"#queue-{second_id}")).to_be_focused()

    # J moves on; H asks for the reason, typed in its field without setting off shortcuts; Enter hides.
    page.keyboard.press("j")
    expect(page.locator(f"#queue-{third_id}")).to_be_focused()
    page.keyboard.press("h")
    reason = page.locator(f"#queue-{third_id} form input")
    expect(reason).to_be_focused()
    page.keyboard.type("Asked twice, join the other")
    expect(reason).to_have_value("Asked twice, join the other")
    expect(queued).to_have_count(3)
    page.keyboard.press("Enter")
    expect(page.locator(f"#proposal-{third_id}")).to_have_attribute("data-status", "hidden")
    expect(page.locator(f"#proposal-{third_id}")).to_contain_text("Asked twice, join the other")
    expect(queued).to_have_count(2)
    expect(page.locator("#queue > li:focus, #flagged > li:focus")).to_have_count(1)

    # K goes back; 2 opens question 2; D switches between proposals and conclusions.
    page.keyboard.press("k")
    expect(page.locator(f"#queue-{second_id}")).to_be_focused()
    page.keyboard.press("2")
    expect(page.locator("#tab-2")).to_have_attribute("aria-selected", "true")
    expect(page.locator("#question-2")).to_be_visible()
    expect(page.locator("#question-1")).to_be_hidden()
    expect(page.locator("#room-2")).to_be_visible()
    # Arrow keys move between the question tabs (the tabs pattern).
    expect(page.locator("#tab-2")).to_be_focused()
    page.keyboard.press("ArrowLeft")
    expect(page.locator("#tab-1")).to_be_focused()
    expect(page.locator("#question-1")).to_be_visible()
    page.keyboard.press("d")
    expect(page.locator("#question-1 [data-role=drafting]")).to_be_visible()
    expect(page.locator("#question-1 [data-view=drafting]")).to_be_focused()
    page.keyboard.press("d")
    expect(page.locator("#question-1 [data-role=proposals]")).to_be_visible()
    page.screenshot(path=str(artifacts / "console-keyboard-en-1440x900.png"))
    assert errors == []
    page.context.close()
