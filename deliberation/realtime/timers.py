"""Ends countdowns: every process looks for questions whose countdown has run out and asks the service
to end each; the service's conditional read under the roundtable lock lets exactly one process do it,
so running this in every Daphne process is safe, and a countdown survives a restart."""

import asyncio
import logging

from django.conf import settings
from django.db import DatabaseError

from deliberation.realtime.background import in_background
from deliberation.services.questions import question_timer_fire, questions_due

logger = logging.getLogger(__name__)

_sweepers: dict[asyncio.AbstractEventLoop, asyncio.Task] = {}


def _sweep_once() -> int:
    fired = 0
    for question_id, due in questions_due():
        if question_timer_fire(question_id=question_id, due=due) is not None:
            fired += 1
    return fired


async def _sweep_forever() -> None:
    while True:
        try:
            await in_background(_sweep_once)()
        except DatabaseError:
            # The database is away: the countdown ends as soon as it is back; meanwhile, wait longer.
            logger.warning("could not look for ended countdowns; trying again", exc_info=True)
            await asyncio.sleep(settings.ROUNDTABLE_OUTAGE_BACKOFF_SECONDS)
            continue
        await asyncio.sleep(settings.ROUNDTABLE_TIMER_TICK_SECONDS)


def timer_sweeper_ensure() -> None:
    """Start this event loop's sweeper once (called by the first connection or request it serves)."""
    loop = asyncio.get_running_loop()
    task = _sweepers.get(loop)
    if task is None or task.done():
        for old_loop in [old for old in _sweepers if old.is_closed()]:
            del _sweepers[old_loop]
        _sweepers[loop] = loop.create_task(_sweep_forever())
