"""Runs the translation pass (services/texts.py) in every process: each process looks for questions
whose conclusions, commitments or room checks want machine translations, and claims each with a
conditional update, so exactly one process asks the server.

On a thread of its own: a server can take seconds per text, and neither countdowns nor analyses may
wait for it."""

from concurrent.futures import ThreadPoolExecutor

from deliberation.realtime.background import repeat_in_background
from deliberation.services.texts import translations_run_due

_executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="roundtable-translation")


def translation_runner_ensure() -> None:
    """Start this event loop's runner once (next to the analyses')."""
    repeat_in_background(name="translations", work=translations_run_due, executor=_executor)
