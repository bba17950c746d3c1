"""Fuzz the live protocol: hypothesis makes tens of thousands of random and malformed frames; a live
consumer (the real ASGI stack, signed in as a moderator, so every command is reachable) must answer each
with an `error`, write nothing, and keep the socket usable."""

import json
import time

import pytest
from channels.db import database_sync_to_async
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deliberation.models import Event, Flag, Participant, Proposal, Question, Role, Vote
from deliberation.realtime.commands import COMMANDS
from deliberation.selectors import roundtable_snapshot
from tests.factories import ParticipantFactory, ProposalFactory, RoundtableFactory
from tests.support.ws import connect

pytestmark = pytest.mark.django_db(transaction=True)

FRAMES = 20_000
MISSING = 10**12  # ids no row has

# A valid frame of every command, to be broken one way each time.
TEMPLATES = {
    "proposal.submit": {"question": MISSING, "text": "Hello"},
    "vote.cast": {"proposal": MISSING, "choice": "agree"},
    "proposal.flag": {"proposal": MISSING},
    "proposal.approve": {"proposal": MISSING},
    "proposal.restore": {"proposal": MISSING},
    "proposal.hide": {"proposal": MISSING, "reason": "Off topic"},
    "proposal.edit": {"proposal": MISSING, "text": "Fixed"},
    "proposal.pin": {"proposal": MISSING, "pinned": True},
    "proposal.merge": {"proposal": MISSING, "into": MISSING + 1},
    "question.phase": {"question": MISSING, "state": "voting"},
    "question.settings": {"question": MISSING, "anonymous": True},
    "roundtable.show_question": {"question": MISSING},
}

json_leaf = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=40)
)
json_value = st.recursive(
    json_leaf,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
)
not_an_int = st.one_of(
    st.text(max_size=10), st.floats(allow_nan=False), st.booleans(), st.lists(json_leaf, max_size=2)
)
not_a_str = st.one_of(
    st.integers(),
    st.booleans(),
    st.lists(json_leaf, max_size=2),
    st.dictionaries(st.text(max_size=3), json_leaf, max_size=2),
)


@st.composite
def broken_command(draw) -> dict:
    """A valid command frame with exactly one thing wrong with it."""
    type_ = draw(st.sampled_from(sorted(TEMPLATES)))
    frame = {"type": type_, "id": draw(st.text(min_size=1, max_size=64)), **TEMPLATES[type_]}
    fields = [name for name in frame if name != "type"]
    how = draw(st.sampled_from(["drop", "extra", "retype", "bad_id", "missing_rows", "bad_value"]))
    if how == "drop":
        del frame[draw(st.sampled_from(fields))]
    elif how == "extra":
        frame[draw(st.text(min_size=1, max_size=12).filter(lambda k: k not in frame))] = draw(json_value)
    elif how == "retype":
        name = draw(st.sampled_from(fields))
        frame[name] = draw(not_a_str if isinstance(frame[name], str) else not_an_int)
    elif how == "bad_id":
        frame["id"] = draw(st.one_of(st.just(""), st.text(min_size=65, max_size=90), not_a_str))
    elif how == "bad_value":
        frame.update(
            draw(
                st.sampled_from(
                    [
                        {"proposal": 0},
                        {"proposal": -5},
                        {"proposal": 2**63},
                        {"choice": "maybe"},
                        {"state": "paused"},
                        {"text": "x" * 9000},
                    ]
                )
            )
        )
    # "missing_rows" keeps the frame well formed: its ids point at nothing.
    return frame


frame_text = st.one_of(
    st.text(max_size=200),  # mostly not JSON at all
    json_value.filter(lambda value: not isinstance(value, dict)).map(json.dumps),
    st.dictionaries(st.text(max_size=10), json_value, max_size=5).map(json.dumps),  # no or odd `type`
    st.builds(
        lambda type_, rest: json.dumps({"type": type_, **rest}),
        st.text(max_size=30).filter(lambda t: t not in COMMANDS and t not in {"resume", "presence", "ping"}),
        st.dictionaries(st.text(max_size=8), json_value, max_size=3),
    ),
    broken_command().map(json.dumps),
    st.builds(
        lambda seq: json.dumps({"type": "resume", "id": "r", "seq": seq}), st.integers(min_value=10**6)
    ),
    st.builds(lambda q: json.dumps({"type": "presence", "question": q}), not_an_int),
)


def corpus(size: int) -> list[str]:
    """Frames drawn by hypothesis (its generation, with its edge cases: empty, huge, odd unicode), in
    lists of 40, since each example has a fixed cost that thousands of single frames would pay."""
    frames: list[str] = []

    @settings(
        max_examples=size // 40 + 1, database=None, deadline=None, suppress_health_check=list(HealthCheck)
    )
    @given(st.lists(frame_text, min_size=40, max_size=40))
    def collect(texts: list[str]) -> None:
        frames.extend(texts)

    collect()
    return frames[:size]


@database_sync_to_async
def scene():
    roundtable = RoundtableFactory()
    moderator = ParticipantFactory(roundtable=roundtable, role=Role.MODERATOR)
    ProposalFactory(author=ParticipantFactory(roundtable=roundtable))
    return roundtable, moderator


@database_sync_to_async
def everything(roundtable, viewer):
    counts = [model.objects.count() for model in (Event, Proposal, Vote, Flag, Participant, Question)]
    snapshot = roundtable_snapshot(roundtable=roundtable, viewer=viewer)
    return counts, {key: value for key, value in snapshot.items() if key != "now"}


async def test_tens_of_thousands_of_malformed_frames_each_get_an_error_and_change_nothing(settings):
    settings.ROUNDTABLE_CONNECTION_FRAME_BURST = FRAMES * 2
    # The corpus's oversized frames are sized for a participant's limit; this moderator's is larger (drafts).
    settings.ROUNDTABLE_MAX_STAFF_FRAME_BYTES = settings.ROUNDTABLE_MAX_FRAME_BYTES
    settings.ROUNDTABLE_RATE_LIMITS = {action: (FRAMES * 2, 60) for action in settings.ROUNDTABLE_RATE_LIMITS}
    frames = corpus(FRAMES)
    assert len(frames) >= 20_000
    roundtable, moderator = await scene()
    before = await everything(roundtable, moderator)
    client, _ = await connect(roundtable, moderator)
    started = time.monotonic()

    codes: dict[str, int] = {}
    for start in range(0, len(frames), 100):
        chunk = frames[start : start + 100]
        for text in chunk:
            await client.send(text)
        for text in chunk:
            reply = await client.receive(timeout=10)
            while reply["type"] == "presence":
                reply = await client.receive(timeout=10)
            assert reply["type"] == "error", f"{text[:300]!r} got {reply}"
            assert reply["message"], reply
            codes[reply["code"]] = codes.get(reply["code"], 0) + 1

    assert await everything(roundtable, moderator) == before, "a malformed frame changed something"
    ack = await client.command("question.settings", question=before[1]["questions"][0]["id"], anonymous=True)
    assert ack["type"] == "ack", "the socket is still usable"
    print(f"\nfuzzed {len(frames)} frames in {time.monotonic() - started:.1f} s: {sorted(codes.items())}")
    assert {"bad_frame", "unknown_type", "invalid", "frame_too_large"} <= set(codes)
    assert {"question_not_found", "proposal_not_found", "seq_invalid"} <= set(codes)
    await client.close()
