"""The 2026-11-30 audit, seats, joining and personal links (issue 16, items 7, 9, 13, 16 and 17): each
attack done again as the audit did it, over HTTP and the real socket, and what now holds."""

import asyncio
import datetime
import re
import uuid

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.core import mail
from django.test import AsyncClient, Client
from django.utils import timezone

from deliberation.models import Participant, Proposal, ProposalStatus, Registrant, Role
from deliberation.selectors import proposal_tally
from roundtable.asgi import application
from tests.factories import ParticipantFactory, ProposalFactory, RoundtableFactory
from tests.support import ws
from tests.support.ws import connect

# Live: run on the embedded default and again on PostgreSQL + Redis (where a NUL byte used to be a 500).
pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def fresh_counters(settings):
    """Join and link-request counters live in the default cache under the rate-limit prefix; each test
    counts under a prefix of its own (clearing the cache would wipe other tests' counts in a shared Redis)."""
    settings.ROUNDTABLE_RATE_LIMIT_PREFIX = f"test-{uuid.uuid4().hex}:rate"


async def socket_of(browser: AsyncClient, roundtable) -> tuple[ws.Client, dict]:
    """The socket the participant page opens, with this browser's own session cookie."""
    cookie = f"{settings.SESSION_COOKIE_NAME}={browser.cookies[settings.SESSION_COOKIE_NAME].value}"
    headers = [(b"origin", ws.ORIGIN), (b"host", b"127.0.0.1:8000"), (b"cookie", cookie.encode())]
    communicator = WebsocketCommunicator(application, f"/ws/r/{roundtable.code}/", headers=headers)
    communicator.scope["client"] = ("127.0.0.1", 50000)
    connected, _ = await communicator.connect()
    assert connected
    client = ws.Client(communicator)
    snapshot = await client.receive()
    assert snapshot["type"] == "snapshot", snapshot
    return client, snapshot


def page(response) -> str:
    return response.content.decode()


def without_csrf(text: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", text)


def seat_name(browser_page: str) -> str | None:
    found = re.search(
        r"(?:You take part as|Participas como|Vous participez en tant que) ([^<.,(]+)", browser_page
    )
    return found.group(1).strip() if found else None


# 7. One registrant, many seats ----------------------------------------------------------------------


@database_sync_to_async
def registered_room():
    roundtable = RoundtableFactory(code="REGSEAT", registration_required=True)
    Registrant.objects.create(
        roundtable=roundtable, email="ana@example.org", display_name="Ana", token="ana-token-1234"
    )
    author = ParticipantFactory(roundtable=roundtable, display_name="Ben")
    return roundtable, ProposalFactory(author=author)


async def test_an_anonymised_registrant_still_has_exactly_one_seat_and_one_vote():
    roundtable, proposal = await registered_room()
    link = "/r/REGSEAT/me/ana-token-1234/"
    phone = AsyncClient()
    assert "join-form" in page(await phone.get(link))
    joined = await phone.post(
        "/r/REGSEAT/join/",
        {"display_name": "Ana", "actor_type": "sme", "language": "en", "token": "ana-token-1234"},
    )
    assert joined.status_code == 302
    phone_socket, _ = await socket_of(phone, roundtable)
    assert (await phone_socket.command("vote.cast", proposal=proposal.pk, choice="agree"))["type"] == "ack"

    anonymised = await phone.post("/r/REGSEAT/privacy/anonymise/", {"confirm": "yes"})
    assert anonymised.status_code == 302

    # The same personal link, opened again on another device after anonymising.
    laptop = AsyncClient()
    assert "join-form" not in page(await laptop.get(link)), "no second seat is offered"
    assert (await laptop.post(link)).status_code == 302
    laptop_socket, snapshot = await socket_of(laptop, roundtable)
    seen = next(p for p in snapshot["proposals"] if p["id"] == proposal.pk)
    assert seen["my_vote"] == "agree", "the laptop is the seat that already voted"
    assert (await laptop_socket.command("vote.cast", proposal=proposal.pk, choice="disagree"))[
        "type"
    ] == "ack"
    assert (await phone_socket.command("vote.cast", proposal=proposal.pk, choice="pass"))["type"] == "ack"

    tally = await database_sync_to_async(proposal_tally)(proposal_id=proposal.pk)
    assert tally == {"agree": 0, "disagree": 0, "pass": 1}, "one registrant, one vote"
    seats = await database_sync_to_async(
        lambda: list(
            Participant.objects.filter(roundtable=roundtable, role=Role.PARTICIPANT).exclude(
                pk=proposal.author_id
            )
        )
    )()
    assert len(seats) == 1 and seats[0].display_name == "", "one seat, still without a name"
    await phone_socket.close()
    await laptop_socket.close()


# 13. Someone's personal link swaps the seat in your browser -----------------------------------------


@pytest.fixture
def two_registrants():
    roundtable = RoundtableFactory(code="SWAP", registration_required=True)
    for name in ("Ana", "Eve"):
        seat = ParticipantFactory(roundtable=roundtable, display_name=name, language="fr")
        Registrant.objects.create(
            roundtable=roundtable,
            email=f"{name.lower()}@example.org",
            token=f"{name}-token",
            participant=seat,
        )
    return roundtable


def test_opening_someone_elses_personal_link_asks_before_switching_and_a_get_changes_nothing(
    two_registrants,
):
    ana = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="fr")
    ana.get("/r/SWAP/me/Ana-token/")
    confirm_own = ana.get("/r/SWAP/me/Ana-token/")
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page(confirm_own)).group(1)
    assert ana.post("/r/SWAP/me/Ana-token/", {"csrfmiddlewaretoken": csrf}).status_code == 302
    assert seat_name(page(ana.get("/r/SWAP/"))) == "Ana"

    # Eve sends Ana her own link: opening it (a GET) must not make Ana's browser act as Eve.
    asked = ana.get("/r/SWAP/me/Eve-token/")

    assert asked.status_code == 200
    body = page(asked)
    assert "Changer de place dans ce navigateur" in body and "en tant que Ana" in body and "Eve" in body
    form = re.search(
        r'<form method="post"[^>]*aria-labelledby="switch-heading"[^>]*>(.*?)</form>', body, re.S
    )
    assert form and 'name="csrfmiddlewaretoken"' in form.group(1), "the switch is a CSRF-protected POST"
    assert re.search(r'<button type="submit"[^>]*autofocus', form.group(1)), "keyboard focus is on it"
    assert seat_name(page(ana.get("/r/SWAP/"))) == "Ana", "the GET changed nothing"

    assert ana.post("/r/SWAP/me/Eve-token/").status_code == 403, "a forged POST (no CSRF token) is refused"
    assert seat_name(page(ana.get("/r/SWAP/"))) == "Ana"
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1)
    assert ana.post("/r/SWAP/me/Eve-token/", {"csrfmiddlewaretoken": csrf}).status_code == 302
    assert seat_name(page(ana.get("/r/SWAP/"))) == "Eve", "switched when she confirmed"


def test_a_personal_link_without_a_seat_yet_says_the_browser_will_move_and_moves_only_on_joining(
    two_registrants,
):
    Registrant.objects.create(roundtable=two_registrants, email="new@example.org", token="New-token")
    ana = Client()  # her pages then follow her seat's language, French
    ana.post("/r/SWAP/me/Ana-token/")
    assert seat_name(page(ana.get("/r/SWAP/"))) == "Ana"

    form = page(ana.get("/r/SWAP/me/New-token/"))

    assert 'id="join-form"' in form and "Ce navigateur participe en ce moment en tant que Ana." in form
    assert seat_name(page(ana.get("/r/SWAP/"))) == "Ana", "the GET changed nothing"
    joined = ana.post(
        "/r/SWAP/join/",
        {"display_name": "Nora", "actor_type": "sme", "language": "en", "token": "New-token"},
    )
    assert joined.status_code == 302 and seat_name(page(ana.get("/r/SWAP/"))) == "Nora"
    assert Registrant.objects.get(token="New-token").participant.display_name == "Nora"


# 16. The lost-link form sends mail without limit ----------------------------------------------------


@pytest.fixture
def lost_links(settings):
    roundtable = RoundtableFactory(code="LOST", registration_required=True)
    Registrant.objects.create(roundtable=roundtable, email="ana@example.org", token="ana-token")
    settings.ROUNDTABLE_LINK_REQUEST_LIMITS = {
        "address": (4, 3600),
        "email": (2, 3600),
        "roundtable": (6, 3600),
    }
    return roundtable


def ask_link(email: str, address: str = "203.0.113.5", language: str = "en"):
    return Client(HTTP_ACCEPT_LANGUAGE=language).post("/r/LOST/me/", {"email": email}, REMOTE_ADDR=address)


def test_lost_link_requests_are_limited_per_email_alike_whether_registered_or_not(lost_links):
    known = [ask_link("ana@example.org", address=f"198.51.100.{n}") for n in range(3)]
    unknown = [ask_link("nobody@example.org", address=f"198.51.100.{n}") for n in range(10, 13)]

    assert [r.status_code for r in known] == [r.status_code for r in unknown] == [200, 200, 429]
    assert without_csrf(page(known[2])) == without_csrf(page(unknown[2])).replace("nobody@", "ana@")
    assert "Too many links were asked for just now" in page(known[2])
    assert len(mail.outbox) == 2 and {m.to[0] for m in mail.outbox} == {"ana@example.org"}
    refused_es = ask_link("ana@example.org", address="198.51.100.99", language="es")
    assert "Se pidieron demasiados enlaces" in page(refused_es)


def test_lost_link_requests_are_limited_per_address_and_per_roundtable(lost_links):
    from_one_address = [ask_link(f"guess{n}@example.org", address="203.0.113.5") for n in range(40)]
    assert [r.status_code for r in from_one_address] == [200] * 4 + [429] * 36
    # The 36 refused requests used up none of the roundtable's allowance (the review's lock-out).
    assert ask_link("ana@example.org", address="203.0.113.6").status_code == 200, "another address may"
    assert ask_link("guess8@example.org", address="203.0.113.7").status_code == 200, "the roundtable's 6th"
    assert ask_link("guess9@example.org", address="203.0.113.8").status_code == 429, "the roundtable's 7th"
    assert len(mail.outbox) == 1


# 17. A NUL byte gives a 500 on PostgreSQL -----------------------------------------------------------


def test_a_nul_byte_in_a_code_or_token_is_a_404_or_a_form_error(client):
    RoundtableFactory(code="NUL1", registration_required=True)

    home = client.post("/", {"code": "NUL\x001"})
    assert home.status_code == 400 and "No roundtable has this code" in page(home)
    for path in ("/r/NUL\x001/", "/r/NUL1/me/abc\x00def/", "/invitation/abc\x00def/", "/r/NUL\x001/me/x/"):
        assert client.get(path).status_code == 404, path
    assert client.post("/r/NUL\x001/join/", {"display_name": "x"}).status_code == 404
    assert client.post("/", {"code": "NUL1"}).status_code == 302, "a real code still works"


# 9. Open roundtables can be flooded -----------------------------------------------------------------


def join(browser: Client, *, code: str = "OPEN", address: str = "203.0.113.20", language: str = "en"):
    return browser.post(
        f"/r/{code}/join/",
        {"display_name": "Someone", "actor_type": "sme", "language": language},
        REMOTE_ADDR=address,
    )


def seat_held(browser: Client) -> int | None:
    return next((v for k, v in browser.session.items() if k.endswith(":participant")), None)


def participants(code: str = "OPEN") -> int:
    return Participant.objects.filter(roundtable__code=code, role=Role.PARTICIPANT).count()


def test_joins_are_limited_per_address_with_a_translated_error(settings):
    settings.ROUNDTABLE_JOINS_PER_ADDRESS = (3, 60)
    RoundtableFactory(code="OPEN")

    # A script that drops its cookies: a new browser session for every join.
    scripted = [join(Client()) for _ in range(4)]

    assert [r.status_code for r in scripted] == [302, 302, 302, 429]
    refused = join(Client(), language="es")
    assert "Se ocuparon demasiados lugares desde tu red o este navegador" in page(refused)
    assert 'id="join-form"' in page(refused), "the join form, with the error on it"
    assert participants() == 3
    assert join(Client(), address="198.51.100.20").status_code == 302, "another address still joins"


def test_the_same_browser_gets_its_seat_back_and_its_joins_are_limited(settings):
    settings.ROUNDTABLE_JOINS_PER_SESSION = (2, 3600)
    RoundtableFactory(code="OPEN")
    browser = Client()

    assert join(browser).status_code == 302
    seat = seat_held(browser)
    assert join(browser).status_code == 302 and participants() == 1, "re-joining gives the same seat"
    assert seat_held(browser) == seat

    # Leaving (erasing oneself) and joining again is a new seat: counted, and limited per session.
    assert browser.post("/r/OPEN/privacy/erase/", {"confirm": "yes"}).status_code == 302
    assert join(browser, address="198.51.100.21").status_code == 302
    assert browser.post("/r/OPEN/privacy/erase/", {"confirm": "yes"}).status_code == 302
    refused = join(browser, address="198.51.100.22")
    assert refused.status_code == 429 and "Too many seats were taken" in page(refused)
    assert participants() == 0


async def test_seats_that_never_open_a_socket_are_given_back(settings):
    settings.ROUNDTABLE_SEAT_CONNECT_SECONDS = 1
    roundtable = await database_sync_to_async(RoundtableFactory)(code="OPEN", capacity=2)
    present, absent, late = AsyncClient(), AsyncClient(), AsyncClient()
    for browser, address in ((present, "198.51.100.1"), (absent, "198.51.100.2")):
        response = await browser.post(
            "/r/OPEN/join/", {"display_name": "P", "actor_type": "sme", "language": "en"}, REMOTE_ADDR=address
        )
        assert response.status_code == 302
    socket, _ = await socket_of(present, roundtable)
    full = await late.post("/r/OPEN/join/", {"display_name": "L", "actor_type": "sme", "language": "en"})
    assert "all its seats are taken" in page(full), "within its first second a seat still counts"

    await asyncio.sleep(1.2)
    joined = await late.post("/r/OPEN/join/", {"display_name": "L", "actor_type": "sme", "language": "en"})

    assert joined.status_code == 302, "the seat that never connected was given back"
    assert 'id="join-form"' in page(await absent.get("/r/OPEN/")), "it is gone"
    assert "join-form" not in page(await present.get("/r/OPEN/")), "a connected seat stays"
    assert await database_sync_to_async(participants)() == 2
    await socket.close()


@database_sync_to_async
def reported_room(*, threshold: int, reporters: int, established: bool):
    roundtable = RoundtableFactory(code="FLAGS", flag_threshold=threshold)
    proposal = ProposalFactory(author=ParticipantFactory(roundtable=roundtable, display_name="Author"))
    people = [ParticipantFactory(roundtable=roundtable) for _ in range(reporters)]
    if established:
        Participant.objects.filter(pk__in=[p.pk for p in people]).update(
            joined_at=timezone.now() - datetime.timedelta(hours=1)
        )
    moderator = ParticipantFactory(roundtable=roundtable, role=Role.MODERATOR, display_name="Mo")
    return roundtable, proposal, people, moderator


@database_sync_to_async
def status_of(proposal) -> str:
    return Proposal.objects.get(pk=proposal.pk).status


async def test_reports_from_a_burst_of_fresh_seats_reach_moderators_but_hide_nothing():
    roundtable, proposal, puppets, moderator = await reported_room(
        threshold=3, reporters=3, established=False
    )
    others = await database_sync_to_async(
        lambda: [ProposalFactory(author=proposal.author) for _ in range(6)]
    )()
    console, _ = await connect(roundtable, moderator)
    watcher, _ = await connect(roundtable, None)

    for puppet in puppets:
        socket, _ = await connect(roundtable, puppet)
        # Votes cost a fresh seat nothing: casting some first must not make its report count.
        for other in others:
            assert (await socket.command("vote.cast", proposal=other.pk, choice="pass"))["type"] == "ack"
        assert (await socket.command("proposal.flag", proposal=proposal.pk))["type"] == "ack"
        await socket.close()

    def views_of_the_reported(events: list[dict]) -> list[dict]:
        views = [event["data"].get("proposal") for event in events]
        return [view for view in views if isinstance(view, dict) and view.get("id") == proposal.pk]

    # 18 votes and 3 reports: the reports' events carry the reported proposal.
    public = views_of_the_reported(await watcher.events(21))
    assert public[-1]["status"] == "visible", "still on everyone's screen"
    staff = views_of_the_reported(await console.events(21))[-1]
    assert staff["flags"] == 3 and staff["status"] == "visible", "the console shows the three reports"
    assert await status_of(proposal) == ProposalStatus.VISIBLE
    await console.close()
    await watcher.close()


async def test_once_a_moderator_approved_a_proposal_new_reports_do_not_hide_it_again():
    roundtable, proposal, people, moderator = await reported_room(threshold=2, reporters=4, established=True)
    console, _ = await connect(roundtable, moderator)
    sockets = [(await connect(roundtable, person))[0] for person in people]

    for socket in sockets[:2]:
        assert (await socket.command("proposal.flag", proposal=proposal.pk))["type"] == "ack"
    assert await status_of(proposal) == ProposalStatus.PENDING, "established seats' reports still count"
    assert (await console.command("proposal.approve", proposal=proposal.pk))["type"] == "ack"
    for socket in sockets[2:]:
        assert (await socket.command("proposal.flag", proposal=proposal.pk))["type"] == "ack"

    assert await status_of(proposal) == ProposalStatus.VISIBLE, "the moderator's decision stands"
    staff = (await console.events(5))[-1]["data"]["proposal"]
    assert staff["flags"] == 4 and staff["status"] == "visible", "moderators see the new reports"
    for socket in [console, *sockets]:
        await socket.close()
