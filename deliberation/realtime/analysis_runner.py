"""Runs due analyses (services/analysis.py) in every process: each process looks for questions whose run
is due and claims each with a conditional update, so exactly one process runs it.

On a thread of its own, not the background one countdowns use: a run over thousands of proposals takes
seconds, and a countdown must not wait for it."""

import logging
from concurrent.futures import ThreadPoolExecutor

from deliberation.realtime.background import repeat_in_background
from deliberation.services.analysis import analyses_due, analysis_claim, question_analyse

logger = logging.getLogger(__name__)

_executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="roundtable-analysis")


def analyses_run_due() -> int:
    ran = 0
    for question_id, due in analyses_due():
        if analysis_claim(question_id=question_id, due=due):
            try:
                question_analyse(question_id=question_id)
            except Exception:
                # One question's failure must not stop the others' analyses, nor the runner.
                logger.exception("analysis of question %s failed", question_id)
            ran += 1
    return ran


def analysis_runner_ensure() -> None:
    """Start this event loop's runner once (next to the countdown sweeper)."""
    repeat_in_background(name="analyses", work=analyses_run_due, executor=_executor)
