"""The projector read from the back of the room, in Debian's Chromium against real Daphne: at 1920x1080
and 1280x720, in Spanish and French, with a full room (two dozen proposals, themes, people of every
actor type, an open room check). Nothing is cut (each column shows what fits whole and "+N more"), the
participant count sits on one line, the QR code is centred over the code, phase, countdown and status
are large, a room check's tally follows the room's answers live, French and Spanish punctuation come from
the catalogues, and axe finds nothing. Screenshots: test-artifacts/screenshots/projector-*.png."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.support.room_live import TRILINGUAL_IDEAS, command, in_thread, open_socket, room_fill
from tests.support.servers import daphne_servers, http_join, organizer_login, sqlite_database

pytestmark = pytest.mark.browser

SIZES = [(1920, 1080), (1280, 720)]
LOCALES = {"es": "es-AR", "fr": "fr-FR"}
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

# Ideas in three languages, some long, so the columns hold more than fits.
IDEAS = [
    *TRILINGUAL_IDEAS,
    "Mesas territoriales permanentes con presupuesto propio y rendición de cuentas trimestral",
    "Des conseils de quartier tirés au sort, avec un budget participatif réel et des comptes rendus publics",
    "A shared register of every partnership agreement, with its goals, money and results, open to all",
    "Cuotas de participación para mujeres y jóvenes en cada mesa de alianza territorial",
    "Former les élus locaux à la co-construction des politiques avec la société civile",
    "Interpretation into local languages at every public meeting, paid for by the partners",
    "Fondos de garantía para que las pymes locales puedan entrar en compras públicas",
    "Un observatoire régional de la relance, avec des indicateurs partagés entre tous les partenaires "
    "publics et privés, publiés chaque trimestre et discutés en assemblée ouverte",
    "Meetings held in the evening and online too, so that working people and carers can take part",
    "Crear una ventanilla única para que las organizaciones sociales presenten proyectos conjuntos",
    "Des contrats de réciprocité entre villes et campagnes pour partager les investissements",
    "Every agreement names who does what by when, and the room checks it again a year later",
    "Incluir a las universidades como mediadoras neutrales en los conflictos entre actores",
    "Publier chaque décision avec les propositions qui l'ont inspirée et leur soutien",
    "Small grants that neighbourhood groups can apply for in one page, decided within a month",
    "Mapas abiertos de necesidades y recursos de cada territorio, actualizados por la ciudadanía",
]
# One person of each of the seed's ten actor types, in the three languages, and two more.
PEOPLE = [
    ("Ana", "government-local", "es"),
    ("Bruno", "government-regional", "es"),
    ("Claire", "government-national", "fr"),
    ("Diego", "public-company-agency", "es"),
    ("Emma", "academia-research", "en"),
    ("Farid", "planning-office", "fr"),
    ("Gloria", "social-economy", "es"),
    ("Hugo", "sme", "fr"),
    ("Irene", "civil-society", "en"),
    ("Jules", "citizen", "fr"),
    ("Karla", "citizen", "es"),
    ("Léa", "civil-society", "fr"),
]

# Those who write and vote (everyone joins): enough for opinion groups, few enough for a loaded machine.
VOTERS = 6


async def room_fill_with(server, organizer: str, voters: list[str]) -> None:
    """The organizer opens question 1 with an hour's countdown; the voters write every idea and vote."""
    moderator, snapshot = await open_socket(server, organizer)
    question = snapshot["questions"][0]["id"]
    await command(
        moderator,
        {
            "type": "question.phase",
            "id": "open",
            "question": question,
            "state": "collecting",
            "duration_seconds": 3600,
            "then": "voting",
        },
    )
    sockets = [(await open_socket(server, cookie))[0] for cookie in voters]
    await room_fill(
        sockets=sockets,
        question=question,
        ideas=IDEAS,
        agree_first_half=[index % 2 == 0 for index in range(len(voters))],
    )
    for socket in [moderator, *sockets]:
        await socket.close()


NOTHING_CUT = """() => {
  const problems = [];
  const name = (node) => `${node.tagName.toLowerCase()}${node.id ? "#" + node.id : ""}`
    + `.${[...node.classList].join(".")} "${(node.textContent || "").trim().slice(0, 40)}"`;
  for (const node of document.querySelectorAll("main, main *")) {
    if (node instanceof SVGElement) continue;
    if (node.closest("[hidden]") || getComputedStyle(node).display === "none") continue;
    const box = node.getBoundingClientRect();
    if (box.width === 0 && box.height === 0) continue;
    if (box.left < -1 || box.top < -1 || box.right > innerWidth + 1 || box.bottom > innerHeight + 1) {
      problems.push(`${name(node)} is outside the viewport`);
    }
    if (node.clientWidth && node.scrollWidth > node.clientWidth + 1) {
      problems.push(`${name(node)} is cut at its side`);
    }
    if (node.clientHeight && node.scrollHeight > node.clientHeight + 1) {
      problems.push(`${name(node)} is cut at its foot`);
    }
    const column = node.closest(".screen-column");
    if (column && column !== node && box.bottom > column.getBoundingClientRect().bottom + 1) {
      problems.push(`${name(node)} runs past the foot of its column`);
    }
  }
  return problems;
}"""

ONE_LINE = """(selector) => {
  const range = document.createRange();
  range.selectNodeContents(document.querySelector(selector));
  return new Set([...range.getClientRects()].map((box) => Math.round(box.top))).size;
}"""

CENTRES = """() => {
  const centre = (node) => {
    const box = node.getBoundingClientRect();
    return [box.left + box.width / 2, box.top + box.height / 2];
  };
  const head = document.querySelector(".screen-head").getBoundingClientRect();
  return {
    // The drawn modules (the path), not only the element: a code drawn at a fixed size in a larger box
    // sat in its top left corner.
    qr: centre(document.querySelector(".screen-join .qr svg .qrline")),
    code: centre(document.querySelector(".screen-join .join-code")),
    join: centre(document.querySelector(".screen-join")),
    head: [head.top, head.bottom],
  };
}"""


@pytest.fixture(scope="module")
def full_room():
    """Set up once for the module, inside the first test's time: hence the longer timeouts below."""
    with sqlite_database() as env:
        env = {**env, "ROUNDTABLE_ANALYSIS_INTERVAL_SECONDS": "0.3", "ROUNDTABLE_TIMER_TICK_SECONDS": "0.1"}
        with daphne_servers(env) as (server,):
            organizer = organizer_login(env, server.base_url)
            people = [
                http_join(server.base_url, "LED111", name=name, actor_type=actor, language=language)
                for name, actor, language in PEOPLE
            ]
            in_thread(room_fill_with(server, organizer, people[:VOTERS]), timeout=240)

            async def check_put() -> int:
                socket, snapshot = await open_socket(server, organizer)
                question = snapshot["questions"][0]["id"]
                reply = await command(
                    socket,
                    {
                        "type": "statement.put",
                        "id": "check",
                        "question": question,
                        "text": "Un fondo común gestionado por todos los socios, con reglas públicas",
                    },
                )
                await socket.close()
                return reply["ack"]["result"]["statement"]

            statement = in_thread(check_put())
            yield server, people, statement


def projector_open(browser, server, language: str, size: tuple[int, int]):
    width, height = size
    context = browser.new_context(viewport={"width": width, "height": height}, locale=LOCALES[language])
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{server.base_url}/r/LED111/screen/?lang={language}")
    expect(page.locator("#connection-status")).to_have_attribute("data-state", "live", timeout=15_000)
    expect(page.locator("#themes > li.theme").first).to_be_visible(timeout=60_000)
    expect(page.locator("#room-check")).to_be_visible()
    return context, page, errors


def answer(server, people: list[str], statement: int, choices: list[str]) -> None:
    async def respond():
        for index, choice in enumerate(choices):
            socket, _ = await open_socket(server, people[index])
            await command(
                socket,
                {"type": "statement.respond", "id": f"r{index}", "statement": statement, "choice": choice},
            )
            await socket.close()

    in_thread(respond())


def shown_and_more(page, selector: str, item: str) -> tuple[int, int]:
    """How many items a list shows whole, and the N of its "+N more" line (0 without one)."""
    shown = page.locator(f"{selector} > {item}").count()
    more = page.locator(f"{selector} > .screen-more")
    if more.count() == 0:
        return shown, 0
    return shown, int(re.search(r"\d+", more.inner_text()).group(0))


@pytest.mark.timeout(360)
@pytest.mark.parametrize("size", SIZES, ids=lambda size: f"{size[0]}x{size[1]}")
@pytest.mark.parametrize("language", LOCALES)
def test_the_projector_reads_from_the_back_of_the_room(browser, full_room, artifacts, language, size):
    server, _people, _statement = full_room
    width, height = size
    context, page, errors = projector_open(browser, server, language, size)
    page.wait_for_timeout(500)  # the last analysis run's themes, if one was under way

    # Nothing is cut: every element whole and inside the screen, nothing scrolls.
    assert page.evaluate(NOTHING_CUT) == []

    # Each list shows what fits whole and counts the rest: the numbers add up to the room.
    shown, more = shown_and_more(page, "#latest", ".screen-proposal")
    assert shown >= 2 and shown + more == len(IDEAS), (shown, more)
    assert more > 0, "two dozen proposals do not all fit a column"
    shown, more = shown_and_more(page, "#balance", "li:not(.screen-more)")
    assert shown >= 1 and shown + more == 10, "ten actor types, shown or counted"
    assert page.locator("#themes > li.theme").count() >= 1
    # A theme opens onto what it holds: its leading proposals under its name.
    assert page.locator("#themes > li.theme .theme-proposals li").count() >= 1

    # Large phase and countdown (type at least 3 % of the screen's height: 32 px at 1080), status and
    # count (2.6 %), readable from the back of the room.
    for selector, share in (
        ("[data-role=state]", 0.03),
        ("[data-role=countdown]", 0.03),
        ("#connection-status", 0.026),
        ("#participant-total", 0.026),
    ):
        size_px = page.evaluate(
            f"parseFloat(getComputedStyle(document.querySelector('{selector}')).fontSize)"
        )
        assert size_px >= share * height, (selector, size_px)
    # The participant count on one line.
    assert page.evaluate(ONE_LINE, "#participant-total") == 1
    # The QR code centred over the join code, in the middle of its panel.
    centres = page.evaluate(CENTRES)
    assert abs(centres["qr"][0] - centres["code"][0]) <= 2, centres
    assert abs(centres["qr"][0] - centres["join"][0]) <= 2, centres

    # Punctuation as each language writes it, from the catalogues.
    # The count in the language's plural form (ngettext), the number first: "12 participantes".
    expected = {
        "es": ("Código: LED111", re.compile(r"^\d+ participantes$")),
        "fr": ("Code : LED111", re.compile(r"^\d+ participant·es$")),
    }
    code_line, count_line = expected[language]
    expect(page.locator(".join-code")).to_have_text(code_line)
    expect(page.locator("#participant-total")).to_have_text(count_line)
    heading = {"es": "Consulta a la sala 1", "fr": "Consultation de la salle 1"}[language]
    expect(page.locator("#check-heading")).to_have_text(heading)

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
    assert len(results.response["passes"]) > 10, "axe ran its rules"
    assert [item["id"] for item in results.response["violations"]] == []
    page.screenshot(path=str(artifacts / f"projector-{language}-{width}x{height}.png"))
    context.close()
    assert errors == []


@pytest.mark.parametrize("language", LOCALES)
def test_a_room_checks_tally_and_new_proposals_follow_the_room_live(browser, full_room, artifacts, language):
    server, people, statement = full_room
    context, page, errors = projector_open(browser, server, language, (1280, 720))
    check = page.locator("#room-check")
    counts = {
        choice: int(check.locator(f"[data-choice={choice}] [data-role=count]").inner_text())
        for choice in ("agree", "disagree", "pass")
    }
    # Three more people answer from their phones; the projector follows without a reload.
    offset = {"es": 0, "fr": 3}[language]  # each person answers once across the two runs
    answer(server, people[offset : offset + 3], statement, ["agree", "agree", "disagree"])
    expect(check.locator("[data-choice=agree] [data-role=count]")).to_have_text(str(counts["agree"] + 2))
    expect(check.locator("[data-choice=disagree] [data-role=count]")).to_have_text(
        str(counts["disagree"] + 1)
    )
    total = sum(counts.values()) + 3
    words = {"es": f"{total} respuestas", "fr": f"{total} réponses"}[language]
    expect(check.locator("[data-role=check-total]")).to_have_text(words)
    page.screenshot(path=str(artifacts / f"projector-check-{language}-1280x720.png"))

    # A new proposal arrives at the top of its column; the "+N more" count takes the one it pushed out.
    before_shown, before_more = shown_and_more(page, "#latest", ".screen-proposal")
    text = {"es": "Una sola agenda compartida de reuniones", "fr": "Un seul agenda partagé des réunions"}[
        language
    ]

    async def submit():
        socket, snapshot = await open_socket(server, people[6])
        question = snapshot["questions"][0]["id"]
        await command(
            socket, {"type": "proposal.submit", "id": f"new-{language}", "question": question, "text": text}
        )
        await socket.close()

    in_thread(submit())
    expect(page.locator("#latest > .screen-proposal").first).to_contain_text(text)
    shown, more = shown_and_more(page, "#latest", ".screen-proposal")
    assert shown + more == before_shown + before_more + 1
    assert page.evaluate(NOTHING_CUT) == []
    context.close()
    assert errors == []
