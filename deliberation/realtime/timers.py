"""Ends countdowns and run-of-show steps: every process looks for questions whose countdown has run out
and for running shows whose step has, and asks the service to end each; the service's conditional read
under the roundtable lock lets exactly one process do it, so running this in every Daphne process is
safe, and a countdown or a step survives a restart."""

from deliberation.realtime.background import repeat_in_background
from deliberation.services.questions import question_timer_fire, questions_due
from deliberation.services.run_of_show import run_of_show_fire, run_of_shows_due


def _sweep_once() -> int:
    fired = 0
    for show_id, due in run_of_shows_due():
        if run_of_show_fire(show_id=show_id, due=due) is not None:
            fired += 1
    for question_id, due in questions_due():
        if question_timer_fire(question_id=question_id, due=due) is not None:
            fired += 1
    return fired


def timer_sweeper_ensure() -> None:
    """Start this event loop's sweeper once (called by the first connection or request it serves)."""
    repeat_in_background(name="countdowns", work=_sweep_once)
