"""The translation pass of one question of a trilingual room (English original; Spanish and French wanted):
conclusions of 10 lines, 2 commitments and 1 room check, translated through the local server speaking
LibreTranslate's API (tests/support/libretranslate.py) made to take a real server's time: each request
costs `--request-ms` (HTTP, queueing behind other requests, the model's set-up) and each text in it
`--text-ms` (the model's work on a sentence). Two ways of asking, on the same texts:

- batched: every text of a language pair in one request (LibreTranslate's list `q`), what the pass does;
- one per text: a backend without lists, asked text by text (what the pass did before: one request per
  line of the conclusions, per commitment and per room check).

Each run is a fresh roundtable (seeded), timed around `question_translate` (the requests and the
writes); the median of `--runs` is reported. Prints one JSON line per scenario and way of asking.

    python -m bench.translation [--request-ms 50] [--text-ms 0 100] [--runs 3]"""

import argparse
import json
import os
import statistics
import tempfile
import time
from pathlib import Path

from deliberation.machine_translation import LibreTranslate
from tests.support.libretranslate import libretranslate_server

CONCLUSIONS = "\n".join(
    [
        "## Funding",
        "Partnerships need a shared fund for local projects.",
        "Each municipality contributes in proportion to its budget.",
        "The fund is managed by a board with civil society and academia.",
        "Calls for projects are published twice a year.",
        "## Open data",
        "Partnership data are published openly on a shared platform.",
        "Personal data are never published.",
        "Each partner names a person responsible for its data.",
        "The platform is reviewed after one year.",
    ]
)
COMMITMENTS = ["Open a joint fund before June", "Publish the first data sets on the shared platform"]
CHECK = "Partnerships need a shared fund"

ONE_PER_TEXT = "bench.translation.OnePerText"
BATCHED = "deliberation.machine_translation.LibreTranslate"


class OnePerText(LibreTranslate):
    """LibreTranslate without lists: `translate_many` asks text by text (machine_translation.py)."""

    translate_many = None


def emit(record: dict) -> None:
    print(json.dumps(record, ensure_ascii=False), flush=True)


def question_written(number: int):
    """A fresh seeded roundtable whose first question has English conclusions, commitments and a room
    check, none translated yet."""
    from deliberation.models import Participant, Role
    from deliberation.services.drafts import commitment_add, draft_save
    from deliberation.services.roundtables import roundtable_load_seed, seed_read
    from deliberation.services.statements import statement_put

    roundtable, _ = roundtable_load_seed(seed=seed_read(), code=f"BENCHTR{number}")
    assert set(roundtable.languages) == {"en", "es", "fr"}, roundtable.languages
    question = roundtable.questions.get(order=1)
    moderator = Participant.objects.create(
        roundtable=roundtable, display_name="Mo", actor_type="", language="en", role=Role.MODERATOR
    )
    mo = {"roundtable_id": roundtable.pk, "participant_id": moderator.pk}
    draft_save(**mo, question_id=question.pk, base_version=0, text=CONCLUSIONS, language="en")
    for what in COMMITMENTS:
        commitment_add(**mo, question_id=question.pk, what=what, organisation="CONGOPE", language="en")
    statement_put(**mo, question_id=question.pk, text=CHECK, language="en")
    return question


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.translation", description=__doc__.split("\n\n")[0])
    parser.add_argument("--request-ms", type=float, default=50.0, help="each request's own cost")
    parser.add_argument(
        "--text-ms", type=float, nargs="+", default=[0.0, 100.0], help="each text's cost (one scenario each)"
    )
    parser.add_argument("--runs", type=int, default=3)
    arguments = parser.parse_args()

    folder = tempfile.mkdtemp(prefix="bench-translation-")
    os.environ["SQLITE_PATH"] = str(Path(folder) / "bench.sqlite3")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "roundtable.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")  # not httpx's line per request
    os.environ.pop("DATABASE_URL", None)
    import django

    with libretranslate_server() as server:
        os.environ["ROUNDTABLE_TRANSLATE_URL"] = server.url
        django.setup()
        from django.core.management import call_command
        from django.test import override_settings

        from deliberation.services.texts import question_translate

        call_command("migrate", verbosity=0)
        number = 0
        for text_ms in arguments.text_ms:
            server.latency, server.latency_per_text = arguments.request_ms / 1000, text_ms / 1000
            for way, backend in (("one_per_text", ONE_PER_TEXT), ("batched", BATCHED)):
                seconds, requests, texts, written = [], set(), set(), set()
                for _ in range(arguments.runs):
                    number += 1
                    question = question_written(number)
                    before = len(server.requests)
                    with override_settings(
                        ROUNDTABLE_TRANSLATE_BACKEND=backend, ROUNDTABLE_TRANSLATE_URL=server.url
                    ):
                        started = time.perf_counter()
                        written.add(question_translate(question_id=question.pk))
                        seconds.append(time.perf_counter() - started)
                    asked = server.requests[before:]
                    requests.add(len(asked))
                    texts.add(sum(len(r["q"]) if isinstance(r["q"], list) else 1 for r in asked))
                emit(
                    {
                        "bench": "translation.question",
                        "way": way,
                        "request_ms": arguments.request_ms,
                        "text_ms": text_ms,
                        "languages": 3,
                        "texts_per_language": sorted(texts)[0] // 2,
                        "requests": sorted(requests)[0],
                        "written": sorted(written)[0],
                        "runs": arguments.runs,
                        "median_ms": round(1000 * statistics.median(seconds), 1),
                        "min_ms": round(1000 * min(seconds), 1),
                        # Every run asked and wrote the same: the figures are of one job.
                        "same_every_run": len(requests) == len(texts) == len(written) == 1,
                    }
                )


if __name__ == "__main__":
    main()
