"""A participant's connection drops mid-session while others keep voting: the client resumes from its
last seq and ends with exactly the server's state. Once with a protocol client that does what the
browser does, once with the browser itself."""

import asyncio
import re
import sqlite3

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import launch_chromium
from tests.faults.helpers import assert_matches_database, join_people
from tests.support.pages import join
from tests.support.proxy import tcp_proxy
from tests.support.resilient import ResilientClient
from tests.support.room_live import in_thread
from tests.support.servers import daphne_servers, http_join, organizer_login, sqlite_database


@pytest.fixture(scope="module")
def server():
    with sqlite_database() as env, daphne_servers(env) as (daphne,):
        yield daphne


def test_a_dropped_socket_resumes_from_its_last_seq_and_ends_with_the_servers_state(server):
    cookies = join_people(server.base_url, 6, "drop")

    async def scenario():
        with tcp_proxy(server.port) as proxy:
            victim = ResilientClient(
                # The origin a browser would send: the page's, loaded through the same proxy.
                "victim",
                [(f"ws://127.0.0.1:{proxy.port}/ws/r/LED111/", f"http://127.0.0.1:{proxy.port}")],
                cookies[0],
            )
            others = [
                ResilientClient(
                    f"p{n}", [(f"ws://127.0.0.1:{server.port}/ws/r/LED111/", server.base_url)], cookie
                )
                for n, cookie in enumerate(cookies[1:])
            ]
            for client in (victim, *others):
                await client.start()
            question = next(iter(victim.state["questions"]))
            for client in others:
                await client.command("proposal.submit", question=question, text=f"Idea of {client.name}")
            await asyncio.gather(*(client.settled() for client in others))
            await victim.reached(max(client.seq for client in others))
            proposals = sorted(victim.state["proposals"])

            before = victim.reconnects
            assert proxy.cut() >= 2, "the victim's socket went through the proxy"
            # While it is away (and right after), the others vote and the victim votes too.
            for round_ in range(3):
                for client in others:
                    await client.command("vote.cast", proposal=proposals[round_], choice="agree")
            await victim.command("vote.cast", proposal=proposals[0], choice="disagree")
            await asyncio.gather(*(client.settled() for client in (victim, *others)))

            last = max(client.seq for client in (victim, *others))
            for client in (victim, *others):
                await client.reached(last)
            assert victim.reconnects > before, "the victim noticed the drop and came back"
            truth = await assert_matches_database(victim, server.port, server.base_url)
            assert truth["proposals"][proposals[0]]["my_vote"] == "disagree", "its own vote got through once"
            for client in (victim, *others):
                await client.stop()

    asyncio.run(scenario())


def test_the_browser_shows_reconnecting_and_catches_up_with_its_unsent_vote_applied(server):
    ben = http_join(server.base_url, "LED111", name="Ben", actor_type="sme", language="en")
    with tcp_proxy(server.port) as proxy, launch_chromium() as browser:
        context = browser.new_context(locale="en-GB")
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        join(
            page,
            f"http://127.0.0.1:{proxy.port}",
            name="Ana",
            actor_type_label="Citizen",
            language_label="English",
        )
        expect(page.locator("#connection-status")).to_have_text("Live")

        async def ben_proposes(text):
            client = ResilientClient(
                "ben", [(f"ws://127.0.0.1:{server.port}/ws/r/LED111/", server.base_url)], ben
            )
            await client.start()
            question = next(iter(client.state["questions"]))
            await client.command("proposal.submit", question=question, text=text)
            await client.settled()
            await client.stop()

        in_thread(ben_proposes("Before the drop"))
        first = page.locator("li.proposal").filter(has_text="Before the drop")
        expect(first).to_be_visible()

        proxy.refuse()  # the network is gone: the socket drops and new ones are refused
        expect(page.locator("#connection-status")).to_have_attribute("data-state", "reconnecting")
        expect(page.locator("#connection-status")).to_contain_text(re.compile("Connection lost"))
        first.locator("[data-choice=agree]").click()  # queued while offline
        in_thread(ben_proposes("While Ana was away"))
        proxy.accept()

        expect(page.locator("#connection-status")).to_have_text("Live", timeout=20000)
        expect(page.locator("li.proposal").filter(has_text="While Ana was away")).to_be_visible()
        expect(first.locator("[data-choice=agree]")).to_have_attribute("aria-pressed", "true")
        expect(first.locator("[data-choice=agree]")).to_contain_text("1")
        assert errors == []
        context.close()


def test_a_proposal_written_offline_waits_in_the_queue_longer_than_the_timeout_and_is_sent_once():
    """The browser gives up on an unanswered command after the timeout (1.5 s here), but only while it
    is connected: a proposal sent during a 5-second outage waits, then goes out once, on reconnection."""
    with sqlite_database() as env:
        env = {**env, "ROUNDTABLE_CLIENT_COMMAND_TIMEOUT_SECONDS": "1.5"}
        with daphne_servers(env) as (daphne,), tcp_proxy(daphne.port) as proxy, launch_chromium() as browser:
            organizer = organizer_login(env, daphne.base_url)

            async def open_question():
                client = ResilientClient(
                    "mo", [(f"ws://127.0.0.1:{daphne.port}/ws/r/LED111/", daphne.base_url)], organizer
                )
                await client.start()
                question = next(iter(client.state["questions"]))
                await client.command("question.phase", question=question, state="collecting")
                await client.settled()  # acknowledged before closing, or the phone may find it closed
                assert client.errors == {}
                await client.stop()

            in_thread(open_question())
            context = browser.new_context(locale="en-GB", viewport={"width": 360, "height": 740})
            page = context.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda error: errors.append(str(error)))
            join(
                page,
                f"http://127.0.0.1:{proxy.port}",
                name="Ana",
                actor_type_label="Citizen",
                language_label="English",
            )
            expect(page.locator("#connection-status")).to_have_text("Live")
            section = page.locator("#question-1")
            # "Live" shows when the socket opens; the form, once the snapshot has arrived.
            expect(section.locator("textarea")).to_be_visible()

            proxy.refuse()
            expect(page.locator("#connection-status")).to_have_attribute("data-state", "reconnecting")
            section.locator("textarea").fill("Written on the train, sent when back online")
            section.locator("[data-role=submit]").click()
            page.wait_for_timeout(5000)  # well past the timeout, still offline
            expect(section.locator("[data-role=form-error]")).to_be_hidden()
            proxy.accept()

            expect(page.locator("#connection-status")).to_have_text("Live", timeout=20000)
            mine = section.locator("li.proposal").filter(has_text="Written on the train")
            expect(mine).to_have_count(1)
            expect(section.locator("[data-role=form-error]")).to_be_hidden()
            assert errors == []
            context.close()
        with sqlite3.connect(env["SQLITE_PATH"]) as database:
            [(count,)] = database.execute(
                "SELECT count(*) FROM deliberation_proposal WHERE text LIKE 'Written on the train%'"
            ).fetchall()
        assert count == 1, "sent once"
