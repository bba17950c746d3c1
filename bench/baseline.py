"""The raw limit: a minimal broadcast server on the `websockets` library alone (no Django, no channel
layer), speaking just enough of our protocol for the same load generator to drive it: a snapshot with a
seq on connect; a command gets an ack with the seq of the event it caused; each event is fanned out to
every client as one small JSON frame, serialised once."""

import argparse
import asyncio
import json

import websockets


def compact(frame: dict) -> str:
    return json.dumps(frame, separators=(",", ":"))


class BroadcastRoom:
    def __init__(self) -> None:
        self.clients: set = set()
        self.seq = 0
        self.tallies: dict[int, dict[str, int]] = {}

    async def handle(self, socket) -> None:
        self.clients.add(socket)
        try:
            await socket.send(compact({"type": "snapshot", "seq": self.seq, "proposals": []}))
            async for text in socket:
                frame = json.loads(text)
                self.seq += 1
                if frame["type"] == "vote.cast":
                    tally = self.tallies.setdefault(frame["proposal"], {"agree": 0, "disagree": 0, "pass": 0})
                    tally[frame["choice"]] += 1
                    event = {"proposal": frame["proposal"], "tally": tally}
                    kind = "vote.cast"
                else:
                    event = {"proposal": {"id": self.seq, "text": frame.get("text", "")}}
                    kind = "proposal.submitted"
                result = {"proposal": frame["proposal"] if kind == "vote.cast" else self.seq}
                await socket.send(
                    compact({"type": "ack", "id": frame["id"], "seq": self.seq, "result": result})
                )
                # One event per frame, sent as it happens: the raw broadcast, no batching.
                item = {"seq": self.seq, "kind": kind, "data": event}
                message = compact({"type": "events", "events": [item]})
                websockets.broadcast(self.clients, message)
        finally:
            self.clients.discard(socket)


async def serve(port: int) -> None:
    room = BroadcastRoom()
    async with websockets.serve(room.handle, "127.0.0.1", port, max_queue=None, ping_interval=None):
        await asyncio.Future()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    asyncio.run(serve(parser.parse_args().port))


if __name__ == "__main__":
    main()
