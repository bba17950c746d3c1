"""What building each voter's frame costs the event loop for one hand-out: a batch of N vote events by
N voters, each voter named by their own event. `event by event` is how connections built it before
(`Batch.text_for` now swaps the named texts into the shared frame). One JSON line per batch size.

    python -m bench.batchframes
"""

import json
import time

import django


def vote(seq: int, voter: int):
    from deliberation.frames import EventText

    data = {"proposal": 7 + seq % 20, "question": 1, "tally": {"agree": seq, "disagree": 3, "pass": 1}}
    text = json.dumps({"seq": seq, "kind": "vote.cast", "data": data}, separators=(",", ":"))
    mine = {"seq": seq, "kind": "vote.cast", "data": {**data, "my_vote": "agree"}}
    own = json.dumps(mine, separators=(",", ":"))
    return EventText(seq=seq, text=text, personal={str(voter): [own, own]})


def main() -> None:
    django.setup()
    from deliberation.frames import events_frame_text
    from deliberation.realtime.hub import Batch

    for size in (100, 200, 500):
        events = [vote(seq, 1000 + seq) for seq in range(1, size + 1)]
        voters = range(1001, 1001 + size)
        started = time.perf_counter()
        for voter in voters:
            events_frame_text(event.for_viewer(voter) for event in events)
        by_event = time.perf_counter() - started
        batch = Batch(events)
        started = time.perf_counter()
        for voter in voters:
            batch.text_for(voter, staff=False)
        swapped = time.perf_counter() - started
        line = {"bench": "batchframes", "events": size, "voters_named": size}
        print(
            json.dumps(
                {
                    **line,
                    "event_by_event_ms": round(by_event * 1000, 1),
                    "swapped_ms": round(swapped * 1000, 1),
                }
            )
        )


if __name__ == "__main__":
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "roundtable.settings")
    main()
