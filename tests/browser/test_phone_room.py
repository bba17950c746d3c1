"""The participant's phone in a live room (issue 14): Chromium at 320x640 and 360x740, in Spanish and
French, against real Daphne and sockets, with a room that already holds several proposals and votes.

The open question comes first (its text, the next proposal with its three buttons and the proposal box
in the first viewport), closed questions fold away, chips follow phases live; the next card counts down
as the person votes; every action answers in view; themes open onto their proposals."""

import json
import re

import pytest
from playwright.sync_api import expect

from tests.support.pages import cookie_for, watch_console
from tests.support.room_live import TRILINGUAL_IDEAS, command, in_thread, open_socket, room_prepare
from tests.support.servers import daphne_servers, http_join, organizer_login, people_join, sqlite_database

pytestmark = pytest.mark.browser

MORE_IDEAS = [
    "Rotate the chair of the partnership table every year",
    "Un presupuesto participativo para las alianzas locales",
]


@pytest.fixture(scope="module")
def room():
    """Four people filled question 1 with six proposals and voted on all of them; two more proposals
    have no votes yet."""
    with sqlite_database() as env:
        env = {**env, "ROUNDTABLE_ANALYSIS_INTERVAL_SECONDS": "0.3"}
        with daphne_servers(env) as (server,):
            organizer = organizer_login(env, server.base_url)
            people = people_join(server.base_url)
            room_prepare(
                server, organizer, people, ideas=TRILINGUAL_IDEAS, agree_first_half=[True, False, True, False]
            )

            async def more():
                socket, snapshot = await open_socket(server, people[0])
                question = snapshot["questions"][0]["id"]
                for index, text in enumerate(MORE_IDEAS):
                    frame = {
                        "type": "proposal.submit",
                        "id": f"more-{index}",
                        "question": question,
                        "text": text,
                    }
                    await command(socket, frame)
                await socket.close()

            in_thread(more())
            yield server, organizer, people


def phone(browser, server, *, name: str, actor: str, language: str, width: int, height: int, errors: list):
    context = browser.new_context(viewport={"width": width, "height": height}, locale=f"{language}-ES")
    cookie_for(
        context,
        server.base_url,
        http_join(server.base_url, "LED111", name=name, actor_type=actor, language=language),
    )
    page = context.new_page()
    watch_console(page, errors)
    page.goto(f"{server.base_url}/r/LED111/")
    return context, page


def in_viewport(page, locator) -> bool:
    box = locator.bounding_box()
    size = page.viewport_size
    return (
        box is not None
        and box["y"] >= 0
        and box["y"] + box["height"] <= size["height"]
        and box["x"] >= 0
        and box["x"] + box["width"] <= size["width"]
    )


def on_one_row(buttons) -> bool:
    tops = [buttons.nth(index).bounding_box()["y"] for index in range(buttons.count())]
    return buttons.count() == 3 and max(tops) - min(tops) < 2


def staff_command(server, organizer: str, frame: dict) -> dict:
    async def send():
        socket, _ = await open_socket(server, organizer)
        reply = await command(socket, frame)
        await socket.close()
        return reply["ack"]

    return in_thread(send())


def test_the_open_question_and_the_next_proposal_fill_the_first_screen_in_spanish(browser, room, artifacts):
    server, organizer, _ = room
    errors: list[str] = []
    context, page = phone(
        browser,
        server,
        name="Lucía",
        actor="government-local",
        language="es",
        width=360,
        height=740,
        errors=errors,
    )
    expect(page.locator("#connection-status")).to_have_text("En vivo")
    first = page.locator("#question-1")
    card = first.locator(".next-card")
    expect(card).to_be_visible()
    expect(first.locator("[data-role=next-left]")).to_have_text("Quedan por votar: 8")
    # Without scrolling: the question's text, the next proposal with its three buttons, the proposal box.
    assert page.evaluate("window.scrollY") == 0
    assert in_viewport(page, first.locator(".question-text"))
    assert in_viewport(page, card.locator(".proposal-text"))
    for choice in ("agree", "disagree", "pass"):
        assert in_viewport(page, card.locator(f"[data-choice={choice}]")), choice
    assert in_viewport(page, first.get_by_label("Tu propuesta")) or in_viewport(
        page, first.locator("[data-role=write-link]")
    )
    assert on_one_row(card.locator("button.vote"))
    page.screenshot(path=artifacts / "phone-es-360x740-first-screen.png")
    # The proposal box is one tap away, with the keyboard up.
    first.locator("[data-role=write-link]").click()
    expect(first.get_by_label("Tu propuesta")).to_be_focused()
    expect(first.get_by_label("Tu propuesta")).to_be_in_viewport()
    page.evaluate("window.scrollTo(0, 0)")

    # The title takes one line and opens on demand.
    title = page.locator("#roundtable-title")
    one_line = title.bounding_box()["height"]
    assert one_line < 2 * float(
        page.evaluate("parseFloat(getComputedStyle(document.getElementById('roundtable-title')).lineHeight)")
    )
    page.get_by_role("button", name="Mostrar el título completo").click()
    expect(page.get_by_role("button", name="Mostrar el título completo")).to_have_attribute(
        "aria-expanded", "true"
    )
    assert title.bounding_box()["height"] > 1.5 * one_line
    page.get_by_role("button", name="Mostrar el título completo").click()

    # Closed questions are folded to their title, and can be read.
    second = page.locator("#question-2")
    expect(second.locator("[data-role=body]")).to_be_hidden()
    expect(second.locator("[data-role=closed-note]")).to_be_hidden()
    second.get_by_role("button", name="Mostrar").click()
    expect(second.locator("[data-role=closed-note]")).to_be_visible()
    expect(second.get_by_role("button", name="Ocultar")).to_have_attribute("aria-expanded", "true")
    # Not taking proposals, and not inviting anyone to write the first one either.
    expect(second.locator("[data-role=empty]")).to_have_text("Todavía no hay propuestas.")
    expect(second).not_to_contain_text("Sé la primera")

    # The chips say which question is open, and follow a phase change live.
    chips = page.locator(".question-chips a")
    expect(chips.nth(0)).to_have_attribute("aria-current", "true")
    expect(chips.nth(0)).to_contain_text("Abierta")
    expect(chips.nth(1)).to_contain_text("Cerrada")
    question_two = int(second.get_attribute("data-question-id"))
    staff_command(
        server,
        organizer,
        {"type": "question.phase", "id": "q2-vote", "question": question_two, "state": "voting"},
    )
    expect(chips.nth(1)).to_have_attribute("aria-current", "true")
    expect(chips.nth(1)).to_contain_text("Votación")
    staff_command(
        server,
        organizer,
        {"type": "question.phase", "id": "q2-close", "question": question_two, "state": "closed"},
    )
    expect(chips.nth(1)).to_contain_text("Cerrada")
    expect(chips.nth(1)).not_to_have_attribute("aria-current", "true")

    # One card at a time: voting moves on and the count goes down, live.
    shown = card.get_attribute("data-proposal-id")
    card.get_by_role("button", name="De acuerdo").click()
    expect(first.locator("[data-role=next-left]")).to_have_text("Quedan por votar: 7")
    expect(first.locator(".next-card")).not_to_have_attribute("data-proposal-id", shown)
    expect(first.locator("[data-role=next-status]")).to_have_text("Voto registrado. Aquí está la siguiente.")
    # The list stays: the vote shows there too.
    expect(first.locator(f"#proposal-{shown} [data-choice=agree]")).to_have_attribute("aria-pressed", "true")
    first.locator(".next-card").get_by_role("button", name="Paso").click()
    expect(first.locator("[data-role=next-left]")).to_have_text("Quedan por votar: 6")

    # Someone else's new proposal adds one, live.
    async def another():
        socket, snapshot = await open_socket(server, room[2][1])
        frame = {
            "type": "proposal.submit",
            "id": "late",
            "question": snapshot["questions"][0]["id"],
            "text": "Shared office hours for every partner",
        }
        await command(socket, frame)
        await socket.close()

    in_thread(another())
    expect(first.locator("[data-role=next-left]")).to_have_text("Quedan por votar: 7")
    # A vote in the list counts too.
    listed = first.locator("li.proposal").filter(has_text="Shared office hours")
    listed.get_by_role("button", name=re.compile("^En desacuerdo")).click()
    expect(first.locator("[data-role=next-left]")).to_have_text("Quedan por votar: 6")
    assert on_one_row(listed.locator("button.vote"))
    page.screenshot(path=artifacts / "phone-es-360x740-full.png", full_page=True)
    assert errors == []
    context.close()


def test_a_french_phone_at_320_sees_its_proposal_confirmed_and_followed_through_moderation(
    browser, room, artifacts
):
    server, organizer, _ = room
    errors: list[str] = []
    context, page = phone(
        browser,
        server,
        name="Chloé",
        actor="civil-society",
        language="fr",
        width=320,
        height=640,
        errors=errors,
    )
    expect(page.locator("#connection-status")).to_have_text("En direct")
    first = page.locator("#question-1")
    card = first.locator(".next-card")
    expect(card).to_be_visible()
    assert on_one_row(card.locator("button.vote"))
    for item in first.locator("li.proposal").all()[:3]:
        assert on_one_row(item.locator("button.vote"))
    page.screenshot(path=artifacts / "phone-fr-320x640-first-screen.png")

    first.get_by_label("Votre proposition").fill("Un guichet unique pour les partenariats locaux")
    first.get_by_role("button", name="Envoyer la proposition").click()
    confirmation = first.locator("[data-role=form-status]")
    expect(confirmation).to_have_text("Votre proposition a été envoyée. Suivez-la dans « Vos propositions ».")
    expect(confirmation).to_have_attribute("role", "status")
    assert in_viewport(page, confirmation), "the confirmation is where the person is looking"
    page.screenshot(path=artifacts / "phone-fr-320x640-sent.png")

    mine = first.locator("[data-role=mine] li").filter(has_text="Un guichet unique")
    expect(mine).to_contain_text("Visible par tout le monde")
    proposal_id = int(mine.get_attribute("data-proposal-id"))
    staff_command(
        server,
        organizer,
        {"type": "proposal.hide", "id": "hide-chloe", "proposal": proposal_id, "reason": "Hors sujet"},
    )
    expect(mine).to_contain_text("Masquée par la modération")
    expect(mine).to_contain_text("Hors sujet")
    staff_command(
        server, organizer, {"type": "proposal.restore", "id": "restore-chloe", "proposal": proposal_id}
    )
    expect(mine).to_contain_text("Visible par tout le monde")
    # Her own proposal is never offered to her to vote on.
    expect(first.locator(f".next-card[data-proposal-id='{proposal_id}']")).to_have_count(0)

    # Themes open onto the proposals they hold.
    theme = first.locator("[data-role=themes] li.theme").first
    expect(theme).to_be_visible(timeout=20000)
    theme.locator("summary").click()
    expect(theme.locator(".theme-proposals li").first).to_be_visible()
    assert theme.locator(".theme-proposals li").count() >= 2
    theme.locator(".theme-proposals li a").first.scroll_into_view_if_needed()
    page.screenshot(path=artifacts / "phone-fr-320x640-theme.png")
    assert errors == []
    context.close()


def test_a_vote_refused_by_the_server_is_shown_beside_the_card_and_announced(browser, room, artifacts):
    """The page misses the event that hid a proposal (a lost frame, simulated on the socket), so the
    person votes on it: the real server refuses, and the refusal appears beside the buttons."""
    server, organizer, _ = room
    errors: list[str] = []
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="es-ES")
    cookie_for(
        context,
        server.base_url,
        http_join(server.base_url, "LED111", name="Rosa", actor_type="sme", language="es"),
    )
    page = context.new_page()
    watch_console(page, errors)
    dropping = {"on": False, "kind": '"proposal.updated"'}

    def handler(ws):
        server_ws = ws.connect_to_server()

        def to_page(message):
            if dropping["on"] and isinstance(message, str) and dropping["kind"] in message:
                return
            ws.send(message)

        server_ws.on_message(to_page)
        ws.on_message(lambda message: server_ws.send(message))

    page.route_web_socket(re.compile(r".*/ws/r/LED111/.*"), handler)
    page.goto(f"{server.base_url}/r/LED111/")
    first = page.locator("#question-1")
    card = first.locator(".next-card")
    expect(card).to_be_visible()
    shown = int(card.get_attribute("data-proposal-id"))
    dropping["on"] = True
    staff_command(
        server, organizer, {"type": "proposal.hide", "id": "hide-shown", "proposal": shown, "reason": "Spam"}
    )
    card.get_by_role("button", name="De acuerdo").click()
    error = first.locator(".next-card .inline-error")
    expect(error).to_have_text("Esta propuesta no está visible, así que no se puede votar.")
    assert in_viewport(page, error)
    expect(page.locator("#alerts")).to_have_text("Esta propuesta no está visible, así que no se puede votar.")
    page.screenshot(path=artifacts / "phone-es-360x740-vote-error.png")
    dropping["on"] = False
    staff_command(server, organizer, {"type": "proposal.restore", "id": "restore-shown", "proposal": shown})

    # A room check closed while its closing was lost on the way: the answer's refusal sits by the check.
    question = int(first.get_attribute("data-question-id"))
    put = staff_command(
        server,
        organizer,
        {"type": "statement.put", "id": "check-put", "question": question, "text": "A joint fund, yes"},
    )
    check = page.locator(f"#check-{put['result']['statement']}")
    expect(check).to_be_visible()
    dropping["kind"] = '"statement.updated"'
    dropping["on"] = True
    staff_command(
        server,
        organizer,
        {"type": "statement.close", "id": "check-close", "statement": put["result"]["statement"]},
    )
    check.get_by_role("button", name=re.compile("^De acuerdo")).click()
    refusal = check.locator(".inline-error")
    expect(refusal).to_have_text("La consulta a la sala sobre esta afirmación está cerrada.")
    expect(page.locator("#alerts")).to_have_text("La consulta a la sala sobre esta afirmación está cerrada.")
    assert in_viewport(page, refusal)
    dropping["on"] = False
    assert [e for e in errors if "WebSocket" not in e] == []
    context.close()


def test_before_the_snapshot_no_question_says_it_has_no_proposals(browser, room):
    """The snapshot is held back (the socket opens later): the page says it is loading, never that there
    are no proposals."""
    server, _, _ = room
    context = browser.new_context(viewport={"width": 360, "height": 740})
    cookie_for(
        context,
        server.base_url,
        http_join(server.base_url, "LED111", name="Iris", actor_type="sme", language="en"),
    )
    page = context.new_page()
    release = {"go": False, "page_side": None}
    held: list = []

    def handler(ws):
        server_ws = ws.connect_to_server()
        release["page_side"] = ws

        def to_page(message):
            if not release["go"]:
                held.append(message)
                return
            ws.send(message)

        server_ws.on_message(to_page)
        ws.on_message(lambda message: server_ws.send(message))

    page.route_web_socket(re.compile(r".*/ws/r/LED111/.*"), handler)
    page.goto(f"{server.base_url}/r/LED111/")
    expect(page.locator("#connection-status")).to_have_text("Live")
    page.wait_for_timeout(500)
    assert any(json.loads(m).get("type") == "snapshot" for m in held if isinstance(m, str)), "held back"
    expect(page.locator("#question-1 [data-role=empty]")).to_have_text("Loading proposals…")
    expect(page.locator("#question-1 [data-role=next-card]")).to_have_text("Loading proposals…")
    for text in page.locator("[data-role=empty]").all_text_contents():
        assert "No proposals yet" not in text
    release["go"] = True
    for message in held:
        release["page_side"].send(message)
    expect(page.locator("#question-1 li.proposal").first).to_be_visible()
    expect(page.locator("#question-1 [data-role=empty]")).to_be_hidden()
    expect(page.locator("#question-4 [data-role=empty]")).to_have_text("No proposals yet.")
    context.close()
