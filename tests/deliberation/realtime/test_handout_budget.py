"""A hub's hand-out budget (deliberation/realtime/hub.py, HandoutBudget): an event after a quiet moment
goes out without waiting, and a busy stretch never gives hand-outs more than their share of the event
loop, so commands and acks keep the rest."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from deliberation.realtime.hub import HandoutBudget


def test_after_a_quiet_moment_a_hand_out_goes_and_nothing_waits_after_it():
    budget = HandoutBudget(share=0.5, burst=0.1)
    assert budget.spend(started=10.0, ended=10.03) == 0.0
    # Two seconds later the budget is full again: the next hand-out does not rest either.
    assert budget.spend(started=12.0, ended=12.03) == 0.0


def test_a_hand_out_longer_than_the_burst_rests_until_its_share_is_paid_back():
    budget = HandoutBudget(share=0.5, burst=0.1)
    rest = budget.spend(started=0.0, ended=0.3)
    # Its half share of the 0.3 s it ran, and the 0.1 s saved: 0.05 s in debt, paid back at half a
    # second per second. Over the 0.4 s, hand-outs had half of it and the saved 0.1 s.
    assert rest == pytest.approx(0.1)


@pytest.mark.parametrize("share", [0.25, 0.5, 0.75])
# Hand-outs whose rest stays under MAX_REST_SECONDS at every share here (a longer one is paid back only
# that far: the next test).
@pytest.mark.parametrize("hand_out", [0.005, 0.04, 0.15])
def test_back_to_back_hand_outs_take_at_most_their_share_of_the_loop(share, hand_out):
    budget = HandoutBudget(share=share, burst=0.1)
    now, busy = 100.0, 0.0
    while now < 160.0:  # a minute of events arriving faster than they can be handed out
        started, now = now, now + hand_out
        busy += hand_out
        now += budget.spend(started=started, ended=now)
    elapsed = now - 100.0
    assert busy <= share * elapsed + 0.1 + 1e-9
    # And not much less: the rest is no longer than it needs to be.
    assert busy >= share * elapsed - hand_out


def test_a_very_long_hand_out_is_not_paid_back_beyond_half_a_second():
    # A listener's replay read, or a paused process, made this one take 10 s: the room's next events
    # wait at most half a second more, not another 10 s.
    budget = HandoutBudget(share=0.5, burst=0.1)
    assert budget.spend(started=0.0, ended=10.0) == pytest.approx(HandoutBudget.MAX_REST_SECONDS)
    assert HandoutBudget(share=0.1, burst=0.1).spend(started=0.0, ended=1.0) == pytest.approx(0.5)


@pytest.mark.parametrize(("share", "burst"), [(0, 0.1), (-0.5, 0.1), (1.5, 0.1), (0.5, -1)])
def test_a_share_or_burst_that_would_stall_or_never_rest_is_refused(share, burst):
    with pytest.raises(ImproperlyConfigured):
        HandoutBudget(share=share, burst=burst)
