"""Offline, honestly, and text that respects people: in Debian's Chromium against real Daphne, on phones
(360 px) in Spanish and French.

- The network goes (Chromium offline): the status says so within seconds; a proposal sent meanwhile says
  it will be sent when back, and is published once when the network returns.
- A socket that goes silent without any close (no offline event either) is noticed by the heartbeat.
- A proposal that got no answer and is sent again is published once, and its error goes once it is.
- The composer counts what is left in the language's plural forms, keeps a too-long paste whole and
  refuses to send it, keeps the unsent draft across a reload, and an emoji sequence arrives whole.
- The browser's plural rules choose the same forms as gettext does on the server."""

import gettext
import json
import re
import time

import pytest
from playwright.sync_api import expect

from tests.browser.test_accessibility import violations
from tests.support.pages import cookie_for, watch_console
from tests.support.servers import daphne_servers, http_join, sqlite_database

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 740}
WOMAN_FARMER = "\U0001f469\U0001f3fd\u200d\U0001f33e"
COMMAND_TIMEOUT_SECONDS = 3


@pytest.fixture(scope="module")
def server():
    with sqlite_database() as env:
        # A short command timeout, so "no answer from the server" comes within the test's patience.
        env = {**env, "ROUNDTABLE_CLIENT_COMMAND_TIMEOUT_SECONDS": str(COMMAND_TIMEOUT_SECONDS)}
        with daphne_servers(env) as (daphne,):
            yield daphne


def phone(browser, server, *, name: str, language: str, actor_type: str = "sme", errors: list[str]):
    """A person who joined (through the real form, over HTTP) on a 360 px phone, on the question page."""
    locale = {"es": "es-AR", "fr": "fr-FR", "en": "en-GB"}[language]
    context = browser.new_context(viewport=PHONE, locale=locale)
    cookie_for(
        context,
        server.base_url,
        http_join(server.base_url, "LED111", name=name, actor_type=actor_type, language=language),
    )
    page = context.new_page()
    watch_console(page, errors)
    return context, page


def our_errors(errors: list[str]) -> list[str]:
    """The page's errors, without Chromium's own report of a connection tried while the network is off."""
    return [error for error in errors if "net::ERR_INTERNET_DISCONNECTED" not in error]


def cards(page, text: str):
    return page.locator("#question-1 li.proposal").filter(has_text=text)


def arrives_alone(sender, watcher, text: str, marker: str) -> None:
    """`text` shows once on the watcher's screen, and nothing more of it comes: a marker proposal sent
    after it arrives (events come in order), and still one card of `text`."""
    expect(cards(watcher, text)).to_have_count(1)
    form = sender.locator("#question-1 [data-role=form]")
    form.locator("textarea").fill(marker)
    form.locator("[data-role=submit]").click()
    expect(cards(watcher, marker)).to_have_count(1)
    expect(cards(watcher, text)).to_have_count(1)
    expect(cards(sender, text)).to_have_count(1)


def test_offline_is_shown_within_seconds_and_a_proposal_sent_offline_is_published_once(
    browser, server, artifacts
):
    errors: list[str] = []
    ana_context, ana = phone(browser, server, name="Ana", language="es", errors=errors)
    ben_context, ben = phone(browser, server, name="Ben", language="fr", errors=errors)
    ana.goto(f"{server.base_url}/r/LED111/")
    ben.goto(f"{server.base_url}/r/LED111/")
    status = ana.locator("#connection-status")
    expect(status).to_have_text("En vivo")
    expect(ben.locator("#connection-status")).to_have_text("En direct")

    ana_context.set_offline(True)
    lost = time.monotonic()
    expect(status).to_have_text("Sin conexión", timeout=5000)
    assert time.monotonic() - lost < 5
    ana.screenshot(path=str(artifacts / "offline-status-es-360.png"))

    form = ana.locator("#question-1 [data-role=form]")
    text = "Una mesa de financiamiento compartido en cada municipio"
    form.get_by_label("Tu propuesta").fill(text)
    form.get_by_role("button", name="Enviar propuesta").click()
    expect(form.locator("[data-role=form-status]")).to_have_text(
        "Estás sin conexión: tu propuesta se enviará cuando vuelvas a estar en línea."
    )
    expect(status).to_have_text("Sin conexión: 1 acción se enviará cuando vuelvas a estar en línea.")
    # Pressing again changes nothing: it is the same proposal, waiting.
    form.locator("[data-role=submit]").click(force=True)
    ana.screenshot(path=str(artifacts / "offline-queued-es-360.png"))
    status.scroll_into_view_if_needed()
    ana.screenshot(path=str(artifacts / "offline-status-queued-es-360.png"))
    assert violations(ana) == [], "offline, with a proposal waiting: axe finds nothing"
    # Still offline a while later: the status says so, not "reconnecting", and nothing was published.
    ana.wait_for_timeout(2500)
    expect(status).to_contain_text("Sin conexión")
    expect(cards(ben, text)).to_have_count(0)

    ana_context.set_offline(False)
    expect(status).to_have_text("En vivo", timeout=10000)
    expect(form.locator("[data-role=form-status]")).to_have_text(
        "Tu propuesta fue enviada. Síguela en «Tus propuestas»."
    )
    expect(form.get_by_label("Tu propuesta")).to_have_value("")
    expect(form.locator("[data-role=form-error]")).to_be_hidden()
    ana.screenshot(path=str(artifacts / "offline-back-es-360.png"))
    arrives_alone(ana, ben, text, "Un marcador después de la propuesta")
    assert our_errors(errors) == []
    ana_context.close()
    ben_context.close()


def test_a_silent_socket_is_noticed_by_the_heartbeat_and_the_page_reconnects(browser, server, artifacts):
    """No close and no offline event ever come (a dead wifi, a phone between cells): the socket just
    stops carrying anything. The page stops saying "live" within seconds and connects again."""
    errors: list[str] = []
    context, page = phone(browser, server, name="Chloé", language="fr", errors=errors)
    connections: list[dict] = []

    def route(ws):
        upstream = ws.connect_to_server()
        state = {"silent": False}
        connections.append(state)
        ws.on_message(lambda message: None if state["silent"] else upstream.send(message))
        upstream.on_message(lambda message: None if state["silent"] else ws.send(message))

    page.route_web_socket(re.compile(r"/ws/r/"), route)
    page.goto(f"{server.base_url}/r/LED111/")
    status = page.locator("#connection-status")
    expect(status).to_have_text("En direct")

    # Every change of the status, as the page makes it: noticing and reconnecting to a local server can
    # take less time than one of Playwright's polls, so a poll could miss the moment it was not "live".
    page.evaluate(
        """() => {
            const status = document.getElementById("connection-status");
            window.statusSeen = [];
            new MutationObserver(() => window.statusSeen.push([performance.now(), status.dataset.state]))
                .observe(status, {attributes: true, childList: true, characterData: true, subtree: true});
        }"""
    )
    silenced = page.evaluate("performance.now()")
    for state in connections:  # the page's socket (and any it dropped before)
        state["silent"] = True
    opened = len(connections)
    page.wait_for_function("() => window.statusSeen.some(([, state]) => state !== 'live')", timeout=12000)
    noticed = page.evaluate("(t) => window.statusSeen.find(([, state]) => state !== 'live')[0] - t", silenced)
    assert noticed < 10_000, f"the heartbeat took {noticed / 1000:.1f} s"
    # A fresh socket (not silenced) takes over, resuming where the page was.
    expect(status).to_have_text("En direct", timeout=15000)
    assert len(connections) > opened
    form = page.locator("#question-1 [data-role=form]")
    form.get_by_label("Votre proposition").fill("Un fonds commun pour les coopératives")
    form.get_by_role("button", name="Envoyer la proposition").click()
    expect(form.locator("[data-role=form-status]")).to_have_text(
        "Votre proposition a été envoyée. Suivez-la dans « Vos propositions »."
    )
    assert errors == []
    context.close()


def test_a_proposal_sent_again_after_no_answer_is_published_once(browser, server, artifacts):
    """The server's answer does not come in time (frames held on the way, the socket alive): the person
    is told, presses Send again, and when the frames get through the proposal is published once, the
    error goes and the confirmation shows."""
    errors: list[str] = []
    ana_context, ana = phone(browser, server, name="Alba", language="es", errors=errors)
    ben_context, ben = phone(browser, server, name="Bruno", language="es", errors=errors)
    held: list[str] = []
    stall = {"on": False}

    def route(ws):
        upstream = ws.connect_to_server()

        def to_server(message):
            # Heartbeats go through (the connection is alive); proposals wait while stalled.
            if stall["on"] and json.loads(message).get("type") == "proposal.submit":
                held.append(message)
            else:
                upstream.send(message)

        ws.on_message(to_server)
        stall["release"] = lambda: [upstream.send(message) for message in held]

    ana.route_web_socket(re.compile(r"/ws/r/"), route)
    ana.goto(f"{server.base_url}/r/LED111/")
    ben.goto(f"{server.base_url}/r/LED111/")
    expect(ana.locator("#connection-status")).to_have_text("En vivo")
    expect(ben.locator("#connection-status")).to_have_text("En vivo")

    stall["on"] = True
    form = ana.locator("#question-1 [data-role=form]")
    error = form.locator("[data-role=form-error]")
    text = "Presupuestos abiertos para cada alianza local"
    form.get_by_label("Tu propuesta").fill(text)
    form.get_by_role("button", name="Enviar propuesta").click()
    expect(error).to_have_text(
        "El servidor aún no ha respondido. "
        "Tu propuesta se conserva: enviarla de nuevo no la publicará dos veces.",
        timeout=(COMMAND_TIMEOUT_SECONDS + 5) * 1000,
    )
    ana.screenshot(path=str(artifacts / "offline-timeout-es-360.png"))
    form.get_by_role("button", name="Enviar propuesta").click()  # as the message allows
    expect(error).to_be_visible(timeout=(COMMAND_TIMEOUT_SECONDS + 5) * 1000)
    form.get_by_role("button", name="Enviar propuesta").click()
    assert len(held) >= 2
    ids = {json.loads(message)["id"] for message in held}
    assert len(ids) == 1, "every Send of the same proposal carries the same command id"

    stall["on"] = False
    stall["release"]()
    expect(form.locator("[data-role=form-status]")).to_have_text(
        "Tu propuesta fue enviada. Síguela en «Tus propuestas»."
    )
    expect(error).to_be_hidden()
    expect(form.get_by_label("Tu propuesta")).to_have_value("")
    arrives_alone(ana, ben, text, "Marcador tras el reenvío")
    assert errors == []
    ana_context.close()
    ben_context.close()


def test_the_composer_counts_refuses_a_too_long_paste_and_keeps_the_draft(browser, server, artifacts):
    errors: list[str] = []
    context, page = phone(browser, server, name="Zoé", language="fr", errors=errors)
    page.goto(f"{server.base_url}/r/LED111/")
    expect(page.locator("#connection-status")).to_have_text("En direct")
    form = page.locator("#question-1 [data-role=form]")
    box = form.get_by_label("Votre proposition")
    counter = form.locator("[data-role=counter]")
    expect(counter).to_have_text("500 caractères restants")
    box.fill("x" * 499)
    expect(counter).to_have_text("1 caractère restant")
    box.fill("x" * 500)
    expect(counter).to_have_text("0 caractère restant")
    # An emoji sequence is one character to people and to the server (4 code points here, not 7).
    box.fill("x" * 496 + WOMAN_FARMER)
    expect(counter).to_have_text("0 caractère restant")

    pasted = ("Des tables territoriales avec des quotas par type d'acteur, " * 21)[:1226]
    box.fill(pasted)
    expect(box).to_have_value(pasted)  # nothing cut
    expect(counter).to_have_text(f"{len(pasted.strip()) - 500} caractères de trop")
    form.get_by_role("button", name="Envoyer la proposition").click()
    error = form.locator("[data-role=form-error]")
    expect(error).to_have_text(
        "Votre proposition dépasse 500 caractères. Raccourcissez-la pour l'envoyer\u00a0: rien n'a été coupé."
    )
    expect(box).to_have_attribute("aria-invalid", "true")
    expect(box).to_be_focused()
    expect(box).to_have_value(pasted)
    page.screenshot(path=str(artifacts / "composer-too-long-fr-360.png"))
    assert violations(page) == [], "too long, refused: axe finds nothing"

    # The draft survives a reload, whole.
    page.reload()
    expect(page.locator("#connection-status")).to_have_text("En direct")
    expect(box).to_have_value(pasted)
    expect(form.locator("[data-role=form-status]")).to_have_text(
        "Votre proposition non envoyée a été conservée."
    )
    page.screenshot(path=str(artifacts / "composer-draft-kept-fr-360.png"))
    shorter = "Des tables territoriales avec des quotas par type d'acteur"
    box.fill(shorter)
    expect(error).to_be_hidden()  # shortened: the refusal goes
    expect(counter).to_have_text(f"{500 - len(shorter)} caractères restants")
    form.get_by_role("button", name="Envoyer la proposition").click()
    expect(form.locator("[data-role=form-status]")).to_have_text(
        "Votre proposition a été envoyée. Suivez-la dans « Vos propositions »."
    )
    expect(cards(page, shorter)).to_have_count(1)
    page.screenshot(path=str(artifacts / "composer-sent-fr-360.png"))
    # Sent: forgotten by the browser.
    page.reload()
    expect(page.locator("#connection-status")).to_have_text("En direct")
    expect(box).to_have_value("")
    expect(form.locator("[data-role=form-status]")).to_be_hidden()
    assert page.evaluate("Object.keys(localStorage).filter((k) => k.includes(':draft:'))") == []
    assert errors == []
    context.close()


def test_a_zwj_emoji_arrives_whole_on_another_phone(browser, server, artifacts):
    errors: list[str] = []
    ana_context, ana = phone(browser, server, name="Inés", language="es", errors=errors)
    ben_context, ben = phone(browser, server, name="Théo", language="fr", errors=errors)
    ana.goto(f"{server.base_url}/r/LED111/")
    ben.goto(f"{server.base_url}/r/LED111/")
    expect(ana.locator("#connection-status")).to_have_text("En vivo")
    expect(ben.locator("#connection-status")).to_have_text("En direct")
    form = ana.locator("#question-1 [data-role=form]")
    text = f"Las mujeres agricultoras {WOMAN_FARMER} lideran el pacto alimentario local"
    form.get_by_label("Tu propuesta").fill(text)
    expect(form.locator("[data-role=counter]")).to_have_text(f"Quedan {500 - len(text)} caracteres")
    form.get_by_role("button", name="Enviar propuesta").click()
    card = cards(ben, "Las mujeres agricultoras")
    expect(card).to_have_count(1)
    shown = card.inner_text()
    assert WOMAN_FARMER in shown, f"the emoji came apart: {shown!r}"
    card.scroll_into_view_if_needed()
    ben.screenshot(path=str(artifacts / "composer-emoji-fr-360.png"))
    assert errors == []
    ana_context.close()
    ben_context.close()


RULES = [
    "(n != 1)",
    "(n > 1)",
    "(n==1 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2)",  # Polish
    "(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2)",  # Russian
    "(n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : n%100>=3 && n%100<=10 ? 3 : n%100>=11 ? 4 : 5)",  # Arabic
    "n == 0 || n == 1 ? 0 : n != 0 && n % 1000000 == 0 ? 1 : 2",  # French, CLDR style
]


def test_the_browser_chooses_plural_forms_as_gettext_does(browser, server):
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{server.base_url}/")
    numbers = [*range(0, 230), 1000, 1001, 1_000_000, 2_000_000]
    for rule in RULES:
        chosen = page.evaluate(
            """async ([rule, numbers]) => {
                 const { compilePluralRule } = await import("/static/js/plural.js");
                 const choose = compilePluralRule(rule);
                 return numbers.map(choose);
               }""",
            [rule, numbers],
        )
        assert chosen == [gettext.c2py(rule)(n) for n in numbers], rule
    context.close()


def test_ping_is_answered_with_pong_and_rate_limited_like_any_frame(browser, server):
    """The heartbeat's frame, from a page of the site (the socket's origin check): `pong` with the same id;
    a flood of pings meets the connection's frame limit; a ping with fields it should not have is invalid."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{server.base_url}/r/LED111/screen/")
    answers = page.evaluate(
        """() => new Promise((resolve) => {
             const socket = new WebSocket(`ws://${location.host}/ws/r/LED111/?view=public`);
             const frames = [];
             socket.onmessage = (message) => {
               const frame = JSON.parse(message.data);
               if (frame.type === "snapshot") {
                 socket.send(JSON.stringify({ type: "ping", id: "p1" }));
                 socket.send(JSON.stringify({ type: "ping", id: "p2", extra: 1 }));
                 for (let i = 0; i < 40; i++) socket.send(JSON.stringify({ type: "ping", id: `f${i}` }));
                 setTimeout(() => { socket.close(); resolve(frames); }, 1500);
               } else {
                 frames.push(frame);
               }
             };
           })"""
    )
    # The room's own events (an analysis run of earlier tests' proposals on this module's server) may come
    # in between: they are not answers to the pings.
    answers = [frame for frame in answers if frame["type"] != "events"]
    assert answers[0] == {"type": "pong", "id": "p1"}
    assert answers[1]["type"] == "error" and answers[1]["code"] == "invalid" and answers[1]["id"] == "p2"
    pongs = [frame for frame in answers if frame["type"] == "pong"]
    limited = [frame for frame in answers if frame.get("code") == "rate_limited"]
    assert 20 <= len(pongs) < 42 and limited, "pings count against the 5/s, bursts of 30, frame limit"
    assert all(frame["retry_after"] >= 1 for frame in limited)
    context.close()


def test_a_code_typed_with_a_space_in_lower_case_leads_to_a_join_page_with_one_language_choice(
    browser, server, artifacts
):
    context = browser.new_context(viewport=PHONE, locale="es-AR")
    page = context.new_page()
    page.goto(f"{server.base_url}/")
    code = page.get_by_label("Código de la mesa redonda")
    code.fill("led 112")
    page.get_by_role("button", name="Continuar").click()
    expect(page.get_by_role("alert")).to_have_text(
        "Ninguna mesa redonda tiene este código. Revísalo e inténtalo de nuevo."
    )
    expect(code).to_have_value("led 112")  # kept, to be corrected
    code.fill("led 111")
    page.get_by_role("button", name="Continuar").click()
    expect(page).to_have_url(f"{server.base_url}/r/LED111/")
    expect(page.locator("select")).to_have_count(2)  # who you are, and your language: one language choice
    expect(page.get_by_label("Tu idioma")).to_be_visible()
    page.screenshot(path=str(artifacts / "composer-join-es-360.png"), full_page=True)
    context.close()
