"""A batch's frame for each reader: the shared text, with the events that name the reader swapped for
their own texts, equals the frame built event by event for that reader."""

import json

from deliberation.frames import EventText, events_frame_text
from deliberation.realtime.hub import Batch


def vote(seq: int, voter: int, staff_layer: bool = False) -> EventText:
    def text(**extra):
        data = {"proposal": 7, "tally": None if staff_layer else {"agree": seq}, **extra}
        return json.dumps({"seq": seq, "kind": "vote.cast", "data": data}, separators=(",", ":"))

    own = text(my_vote="agree")
    return EventText(
        seq=seq,
        text=text(),
        staff_text=text(tally={"agree": seq}) if staff_layer else None,
        personal={str(voter): [own, text(tally={"agree": seq}, my_vote="agree") if staff_layer else own]},
    )


def test_each_reader_gets_the_frame_built_event_by_event_for_them():
    events = [vote(seq, voter=100 + seq % 5, staff_layer=seq % 3 == 0) for seq in range(1, 41)]
    batch = Batch(events)
    for viewer in (None, 100, 101, 104, 999):
        for staff in (False, True):
            expected = events_frame_text(event.for_viewer(viewer, staff=staff) for event in events)
            assert batch.text_for(viewer, staff=staff) == expected, (viewer, staff)
    assert json.loads(batch.text_for(103, staff=False))["events"][2]["data"]["my_vote"] == "agree"
    assert batch.text_for(999, staff=False) is batch.text, "a reader named nowhere shares the one text"
