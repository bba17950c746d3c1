"""A room filled over the real websocket protocol: people who joined through the HTML form submit
proposals and vote, as their browsers would; and reading what a socket receives. Shared by the live and
browser tests and the throttled bench."""

import asyncio
import json
from concurrent.futures import ThreadPoolExecutor

import websockets

# No limit on the frames a test socket holds unread (websockets' max_queue, 16 by default). These clients
# read only what their test needs, and the room's events go on arriving meanwhile; with a full queue the
# library stops reading the connection, so close() never sees the server's answering close frame and
# waits out its close_timeout: 10 s per socket, measured on 2026-11-30, 20 s of every room_prepare.
UNREAD_FRAMES_KEPT = None


async def open_socket(server, cookie: str, code: str = "LED111"):
    socket = await websockets.connect(
        f"ws://127.0.0.1:{server.port}/ws/r/{code}/",
        additional_headers={"Origin": server.base_url, "Cookie": cookie},
        max_queue=UNREAD_FRAMES_KEPT,
    )
    snapshot = json.loads(await socket.recv())
    assert snapshot["type"] == "snapshot"
    return socket, snapshot


async def command(socket, frame: dict) -> dict:
    """Send a command and read until its ack (events in between are kept for the caller)."""
    await socket.send(json.dumps(frame))
    events = []
    while True:
        reply = json.loads(await asyncio.wait_for(socket.recv(), timeout=10))
        if reply["type"] == "events":
            events.extend(reply["events"])
        elif reply.get("id") == frame["id"]:
            assert reply["type"] == "ack", reply
            return {"ack": reply, "events": events}


async def room_fill(
    *,
    sockets: list,
    question: int,
    ideas: list[str],
    agree_first_half: list[bool],
    seen: dict[int, list[dict]] | None = None,
) -> list[int]:
    """Person i submits ideas i, i+n, ...; then everyone votes on every idea: those with
    agree_first_half[i] agree with the first half of the ideas and disagree with the rest, the others
    the opposite. Returns the proposals' ids; `seen[i]` gets the events socket i received meanwhile."""
    seen = {} if seen is None else seen
    proposal_ids = []
    for index, text in enumerate(ideas):
        socket = sockets[index % len(sockets)]
        reply = await command(
            socket, {"type": "proposal.submit", "id": f"p{index}", "question": question, "text": text}
        )
        seen.setdefault(index % len(sockets), []).extend(reply["events"])
        proposal_ids.append(reply["ack"]["result"]["proposal"])
    half = len(ideas) // 2
    for person, socket in enumerate(sockets):
        for index, proposal in enumerate(proposal_ids):
            choice = "agree" if (index < half) == agree_first_half[person] else "disagree"
            reply = await command(
                socket,
                {"type": "vote.cast", "id": f"v{person}-{index}", "proposal": proposal, "choice": choice},
            )
            seen.setdefault(person, []).extend(reply["events"])
    return proposal_ids


# One idea per language for two topics (an investment fund, open data): what the analysis tests fill
# rooms with.
TRILINGUAL_IDEAS = [
    "Create a joint investment fund for local projects",
    "Crear un fondo común de inversión para proyectos locales",
    "Créer un fonds d'investissement commun pour les projets locaux",
    "Publish all partnership data openly on a shared platform",
    "Publicar en abierto todos los datos de la alianza",
    "Publier en open data toutes les données du partenariat",
]


def in_thread(coroutine, timeout: float = 120):
    """Run protocol clients beside sync Playwright, whose event loop holds the calling thread."""
    with ThreadPoolExecutor(max_workers=1) as thread:
        return thread.submit(asyncio.run, coroutine).result(timeout=timeout)


async def events_for(socket, seconds: float) -> list[dict]:
    """Every event a socket receives within `seconds`."""
    return await events_until(socket, lambda seen: False, seconds, required=False)


async def events_until(
    socket, predicate, seconds: float = 20, *, required: bool = True, earlier: list[dict] = ()
) -> list[dict]:
    """The events a socket receives until `predicate(all seen so far)` holds (an error if it never does,
    unless not `required`); `earlier` are events it already received, counted as seen."""
    seen: list[dict] = list(earlier)
    if earlier and predicate(seen):
        return seen
    deadline = asyncio.get_running_loop().time() + seconds
    while (left := deadline - asyncio.get_running_loop().time()) > 0:
        try:
            frame = json.loads(await asyncio.wait_for(socket.recv(), timeout=left))
        except TimeoutError:
            break
        if frame["type"] == "events":
            seen.extend(frame["events"])
            if predicate(seen):
                return seen
    if required:
        raise AssertionError(f"not seen within {seconds} s: {[event['kind'] for event in seen]}")
    return seen


def room_prepare(
    server,
    organizer: str,
    people: list[str],
    *,
    ideas: list[str],
    agree_first_half: list[bool],
    countdown_seconds: int | None = None,
) -> None:
    """From a sync test or bench: the organizer opens question 1 (with a countdown if given), then the
    people fill it (room_fill)."""

    async def fill():
        moderator, snapshot = await open_socket(server, organizer)
        question = snapshot["questions"][0]["id"]
        phase = {"type": "question.phase", "id": "open", "question": question, "state": "collecting"}
        if countdown_seconds:
            phase |= {"duration_seconds": countdown_seconds, "then": "voting"}
        await command(moderator, phase)
        sockets = [(await open_socket(server, cookie))[0] for cookie in people]
        await room_fill(sockets=sockets, question=question, ideas=ideas, agree_first_half=agree_first_half)
        for socket in [moderator, *sockets]:
            await socket.close()

    in_thread(fill())
