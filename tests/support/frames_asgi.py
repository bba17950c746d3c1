"""An ASGI application for tests of roundtable.websocket_frames: on connect it sends, without waiting,
`count` text frames of `size` characters (each named by its number, every third the same text object as
the one before it, as a hand-out sends one text to many) and a binary frame after every tenth; when the
client answers "done" it closes with code 4000. Served by a real Daphne with Roundtable's websocket
protocol installed. Even-numbered text frames go through the scope's send-text extension (as the
hub's hand-outs do), the others as ASGI messages (as acks did before it), so order holds across both."""

import asyncio
import urllib.parse

from roundtable.websocket_frames import SEND_TEXT_EXTENSION, daphne_prepared_frames_install

daphne_prepared_frames_install()


def frame_text(number: int, size: int) -> str:
    head = f"{number:06d}:"
    return head + "é" * (size - len(head))


async def application(scope, receive, send):
    if scope["type"] == "lifespan":
        return
    assert scope["type"] == "websocket"
    query = urllib.parse.parse_qs(scope["query_string"].decode())
    count, size = int(query["count"][0]), int(query["size"][0])
    # Offered by Roundtable's protocol on every endpoint: without it the hand-out would be slower, not wrong.
    send_text = scope["extensions"][SEND_TEXT_EXTENSION]["send_text"]
    await receive()  # websocket.connect
    await send({"type": "websocket.accept"})
    # Let the reactor write the handshake's answer first, and take a turn between frames, as a hub's
    # hand-out does: frames then find Twisted's buffer empty and go to the socket at once while it takes them.
    await asyncio.sleep(0.05)
    text = ""
    for number in range(count):
        if number % 3 != 2:
            text = frame_text(number, size)
        if number % 2 == 0:
            send_text(text)
        else:
            await send({"type": "websocket.send", "text": text})
        await asyncio.sleep(0)
        if number % 10 == 9:
            await send({"type": "websocket.send", "bytes": number.to_bytes(4, "big")})
    # Closing at once would start autobahn's close-handshake timeout while megabytes still wait for a slow
    # reader (it then drops the connection, whichever protocol wrote them): the client says when it has all.
    message = await receive()
    if message.get("text") == "done":
        await send({"type": "websocket.close", "code": 4000})
        while (await receive())["type"] != "websocket.disconnect":
            pass
