"""Two Daphne processes sharing Redis and PostgreSQL: what happens on one reaches clients of the other."""

import asyncio
import json

import websockets

from tests.support.room_live import UNREAD_FRAMES_KEPT
from tests.support.servers import daphne_servers, http_join, postgres_redis_database


async def open_socket(server, cookie: str | None, since: int | None = None):
    query = f"?since={since}" if since is not None else ""
    return await websockets.connect(
        f"ws://127.0.0.1:{server.port}/ws/r/LED111/{query}",
        additional_headers={"Origin": server.base_url, **({"Cookie": cookie} if cookie else {})},
        max_queue=UNREAD_FRAMES_KEPT,
    )


async def next_frame(socket, *types: str) -> dict:
    while True:
        frame = json.loads(await asyncio.wait_for(socket.recv(), timeout=10))
        if frame["type"] in types:
            return frame


async def next_event(socket, kind: str) -> dict:
    while True:
        for event in (await next_frame(socket, "events"))["events"]:
            if event["kind"] == kind:
                return event


def test_a_proposal_submitted_on_one_process_reaches_a_client_of_the_other():
    with postgres_redis_database() as env, daphne_servers(env, count=2) as (first, second):
        ana_cookie = http_join(
            first.base_url, "LED111", name="Ana", actor_type="government-local", language="es"
        )
        ben_cookie = http_join(second.base_url, "LED111", name="Ben", actor_type="sme", language="en")

        async def scenario():
            ana = await open_socket(first, ana_cookie)
            ben = await open_socket(second, ben_cookie)
            ana_snapshot = await next_frame(ana, "snapshot")
            ben_snapshot = await next_frame(ben, "snapshot")
            assert ana_snapshot["seq"] == ben_snapshot["seq"]
            question = ana_snapshot["questions"][0]["id"]

            await ana.send(
                json.dumps(
                    {
                        "type": "proposal.submit",
                        "id": "a1",
                        "question": question,
                        "text": "Consejos territoriales",
                    }
                )
            )
            ack = await next_frame(ana, "ack")
            event = await next_event(ben, "proposal.submitted")
            assert event["seq"] == ack["seq"] == ben_snapshot["seq"] + 1
            assert event["data"]["proposal"]["text"] == "Consejos territoriales"

            # And back the other way: Ben's vote on process two reaches Ana on process one.
            proposal = event["data"]["proposal"]["id"]
            await ben.send(
                json.dumps({"type": "vote.cast", "id": "b1", "proposal": proposal, "choice": "agree"})
            )
            vote_event = await next_event(ana, "vote.cast")
            assert vote_event["data"]["tally"] == {"agree": 1, "disagree": 0, "pass": 0}
            await ana.close()
            await ben.close()

        asyncio.run(scenario())
