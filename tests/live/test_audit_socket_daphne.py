"""The 2026-11-30 audit's attacks on the live socket, against a real Daphne process (what Daphne does when
a consumer raises is the point: it closes with 1011 and never runs disconnect).

One server for the module, with 3 sockets per address, so a leaked slot shows at once. On SQLite with
the in-process layer; on PostgreSQL + Redis when DATABASE_URL is set (the live pass of make test)."""

import asyncio
import contextlib
import json
import os
import urllib.parse
import urllib.request

import pytest
import websockets

from tests.support.servers import (
    csrf_token,
    daphne_servers,
    http_join,
    http_login,
    organizer_login,
    organizer_password,
    postgres_redis_database,
    sqlite_database,
)

pytestmark = pytest.mark.live

LIMIT = 3


@pytest.fixture(scope="module")
def server():
    database = postgres_redis_database if os.environ.get("DATABASE_URL") else sqlite_database
    with database() as env:
        env = {**env, "ROUNDTABLE_MAX_CONNECTIONS_PER_IP": str(LIMIT)}
        with daphne_servers(env, count=1) as (daphne,):
            daphne.env = env
            yield daphne


async def open_socket(server, cookie: str | None = None, query: str = ""):
    return await websockets.connect(
        f"ws://127.0.0.1:{server.port}/ws/r/LED111/{query}",
        additional_headers={"Origin": server.base_url, **({"Cookie": cookie} if cookie else {})},
        max_size=None,
    )


async def frames_until(socket, *types: str) -> list[dict]:
    """Frames up to and including the first of `types`."""
    seen = []
    while True:
        frame = json.loads(await asyncio.wait_for(socket.recv(), timeout=10))
        seen.append(frame)
        if frame["type"] in types:
            return seen


async def attack(server, *, query: str = "", frame: str | None = None) -> dict:
    """One attacker's socket: the error it is answered with; the socket must still be open after it."""
    socket = await open_socket(server, query=query)
    try:
        if frame is None:
            seen = await frames_until(socket, "error")
        else:
            await frames_until(socket, "snapshot")
            await socket.send(frame)
            seen = await frames_until(socket, "error")
        # Still open and serving: a resume is answered.
        await socket.send(json.dumps({"type": "resume", "id": "still-there", "seq": 0}))
        assert (await frames_until(socket, "ack"))[-1]["id"] == "still-there"
        return seen[-1]
    finally:
        await socket.close()


def test_bad_input_is_answered_with_an_error_and_never_costs_the_address_its_slots(server):
    attacks = [
        {"query": "?since=%C2%B2"},  # "²": str.isdigit() says yes, int() says no
        {"query": "?since=" + "9" * 5000},
        {"query": "?since=-1"},
        {"frame": "[" * 2000 + "]" * 2000},
        {"frame": '{"type":"vote.cast","id":"x","proposal":' + "[" * 3000 + "]" * 3000 + "}"},
    ]

    async def scenario():
        # Many more attacks than the address has slots: a slot kept by any of them would show.
        for _ in range(3):
            for kind in attacks:
                error = await attack(server, **kind)
                expected = "invalid" if "query" in kind else "bad_frame"
                assert error["code"] == expected, (kind.get("query", "")[:20], error)
        # An ordinary visitor from the same address is still let in, and served.
        visitor = await open_socket(server)
        [snapshot] = await frames_until(visitor, "snapshot")
        assert snapshot["questions"]
        await visitor.close()

    asyncio.run(scenario())


def test_a_command_id_reused_for_another_command_is_refused_not_acknowledged(server):
    cookie = http_join(server.base_url, "LED111", name="Eva", actor_type="sme", language="fr")

    async def scenario():
        socket = await open_socket(server, cookie)
        snapshot = (await frames_until(socket, "snapshot"))[-1]
        question = snapshot["questions"][0]["id"]
        await socket.send(
            json.dumps({"type": "proposal.submit", "id": "c1", "question": question, "text": "Une idée"})
        )
        ack = (await frames_until(socket, "ack"))[-1]
        assert ack["id"] == "c1"
        # The same id again for a vote: not a retry of the proposal, and not a vote either.
        await socket.send(
            json.dumps(
                {"type": "vote.cast", "id": "c1", "proposal": ack["result"]["proposal"], "choice": "agree"}
            )
        )
        error = (await frames_until(socket, "ack", "error"))[-1]
        assert error["type"] == "error" and error["id"] == "c1"
        assert error["code"] == "command_id_reused"
        assert "identifiant" in error["message"]  # in the person's language (French)
        # A true retry of the proposal is still acknowledged with the same seq, on the same socket.
        await socket.send(
            json.dumps({"type": "proposal.submit", "id": "c1", "question": question, "text": "Une idée"})
        )
        again = (await frames_until(socket, "ack", "error"))[-1]
        assert again["type"] == "ack" and again["seq"] == ack["seq"]
        await socket.close()

    asyncio.run(scenario())


def http_logout(base_url: str, cookie: str) -> None:
    """Sign out as the browser does: the logout page's form, POSTed with its CSRF token."""
    headers = {"Cookie": cookie, "Referer": base_url}
    page = urllib.request.urlopen(
        urllib.request.Request(f"{base_url}/accounts/logout/", headers=headers), timeout=10
    ).read()
    form = urllib.parse.urlencode({"csrfmiddlewaretoken": csrf_token(page.decode())}).encode()
    request = urllib.request.Request(f"{base_url}/accounts/logout/", data=form, headers=headers)
    urllib.request.urlopen(request, timeout=10).read()


def test_signing_out_closes_the_sessions_staff_socket_and_its_commands_take_no_effect(server):
    cookie = organizer_login(server.env, server.base_url)

    async def scenario():
        console = await open_socket(server, cookie)
        snapshot = (await frames_until(console, "snapshot"))[-1]
        assert snapshot["me"]["role"] == "organizer"
        question = snapshot["questions"][0]
        watcher = await open_socket(server)
        await frames_until(watcher, "snapshot")

        await asyncio.to_thread(http_logout, server.base_url, cookie)

        await assert_closed_as_signed_out(console, question, watcher)

    asyncio.run(scenario())


def http_password_change(base_url: str, cookie: str, *, old: str, new: str) -> None:
    """Change the account's password through allauth's form, from the session `cookie` names."""
    headers = {"Cookie": cookie, "Referer": base_url}
    page = urllib.request.urlopen(
        urllib.request.Request(f"{base_url}/accounts/password/change/", headers=headers), timeout=10
    ).read()
    form = urllib.parse.urlencode(
        {
            "csrfmiddlewaretoken": csrf_token(page.decode()),
            "oldpassword": old,
            "password1": new,
            "password2": new,
        }
    ).encode()
    request = urllib.request.Request(f"{base_url}/accounts/password/change/", data=form, headers=headers)
    urllib.request.urlopen(request, timeout=10).read()


def test_a_password_changed_elsewhere_closes_the_accounts_staff_sockets(server):
    """The review after the fix: a password change signs the account's other sessions out over HTTP,
    but their open staff sockets kept their rights (a phase change was still acknowledged)."""
    email = "organizer@roundtable.localhost"
    password = organizer_password(server.env, server.base_url, email)
    laptop = http_login(server.base_url, email=email, password=password)
    phone = http_login(server.base_url, email=email, password=password)

    async def scenario():
        console = await open_socket(server, laptop)
        snapshot = (await frames_until(console, "snapshot"))[-1]
        assert snapshot["me"]["role"] == "organizer"
        question = snapshot["questions"][0]
        watcher = await open_socket(server)
        await frames_until(watcher, "snapshot")

        await asyncio.to_thread(
            http_password_change, server.base_url, phone, old=password, new="An0ther-long-passphrase"
        )

        await assert_closed_as_signed_out(console, question, watcher)

    asyncio.run(scenario())


async def assert_closed_as_signed_out(console, question: dict, watcher) -> None:
    """The staff socket is told why and closed; a phase change sent on it after that reaches no one."""
    with contextlib.suppress(websockets.ConnectionClosed):
        await console.send(
            json.dumps(
                {"type": "question.phase", "id": "late", "question": question["id"], "state": "locked"}
            )
        )
    error = (await frames_until(console, "error"))[-1]
    assert error["code"] == "signed_out"
    with pytest.raises(websockets.ConnectionClosed):
        await asyncio.wait_for(console.recv(), timeout=5)
    assert console.close_code == 4401
    assert await watcher_sees_no_phase_change(watcher)
    await watcher.close()


async def watcher_sees_no_phase_change(watcher) -> bool:
    """No question changed phase within a second (other events, an analysis run's themes after the
    earlier tests' proposals, say, may pass)."""
    with contextlib.suppress(TimeoutError):
        while True:
            frame = json.loads(await asyncio.wait_for(watcher.recv(), timeout=1))
            for event in frame.get("events", []) if frame["type"] == "events" else []:
                if event["kind"] == "question.updated":
                    return False
    return True
