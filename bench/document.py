"""The proposal document at the size of a full session: 150 people, 4 questions of 100 proposals each,
every person voting on 60 proposals per question (36,000 votes), conclusions citing 20 proposals per
question. Times building the document (what publishing freezes) and rendering each file, and reports
the files' sizes. Prints one JSON line per measurement.

    python -m bench.document"""

import json
import os
import random
import tempfile
import time
from pathlib import Path

CHOICES = ["agree", "disagree", "pass"]


def emit(record: dict) -> None:
    print(json.dumps(record, ensure_ascii=False), flush=True)


def timed(function, repeat: int = 3):
    best, result = float("inf"), None
    for _ in range(repeat):
        started = time.perf_counter()
        result = function()
        best = min(best, time.perf_counter() - started)
    return best, result


def main() -> None:
    folder = tempfile.mkdtemp(prefix="bench-document-")
    os.environ["SQLITE_PATH"] = str(Path(folder) / "bench.sqlite3")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "roundtable.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import translation

    from deliberation.document.build import document_build
    from deliberation.document.files import document_file_render
    from deliberation.models import DraftRevision, Participant, Proposal, Role, Vote
    from deliberation.services.roundtables import roundtable_load_seed, seed_read

    call_command("migrate", verbosity=0)
    roundtable, _ = roundtable_load_seed(seed=seed_read(), code="BENCHDOC")
    keys = [item["key"] for item in roundtable.actor_types]
    randomness = random.Random(7)
    people = Participant.objects.bulk_create(
        Participant(
            roundtable=roundtable,
            display_name=f"Person {n}",
            actor_type=keys[n % len(keys)],
            language=("en", "es", "fr")[n % 3],
            role=Role.PARTICIPANT,
        )
        for n in range(150)
    )
    questions = list(roundtable.questions.order_by("order"))
    for question in questions:
        proposals = Proposal.objects.bulk_create(
            Proposal(
                question=question,
                author=people[n % len(people)],
                text=f"Proposal {n} on question {question.order}: a shared fund, open data and training "
                f"for local partnerships, in words of some length as people write them.",
                language=("en", "es", "fr")[n % 3],
            )
            for n in range(100)
        )
        Vote.objects.bulk_create(
            Vote(proposal=proposal, participant=person, choice=randomness.choice(CHOICES))
            for person in people
            for proposal in randomness.sample(proposals, 60)
        )
        cited = " ".join(f"[#{proposal.pk}]" for proposal in proposals[:20])
        DraftRevision.objects.create(
            question=question,
            version=1,
            text=f"## Partnerships\n\nWe agree on a shared fund {cited}.\n\n- Open data\n- Training\n",
        )

    seconds, document = timed(lambda: document_build(roundtable=roundtable))
    emit(
        {
            "bench": "document.build",
            "people": len(people),
            "proposals": 400,
            "votes": len(document["votes"]),
            "seconds": round(seconds, 3),
        }
    )
    emit({"bench": "document.json_bytes", "bytes": len(json.dumps(document, ensure_ascii=False))})
    with translation.override("es"):
        for name in ("document.md", "document.pdf", "document.json", "bundle.zip", "q1-votes.csv"):
            seconds, (body, _) = timed(lambda name=name: document_file_render(document, name, "es"))
            emit({"bench": "document.file", "file": name, "seconds": round(seconds, 3), "bytes": len(body)})

    # The published page, as readers open it: version 1, then the latest (version 2), which also lists
    # what changed since version 1.
    from django.test import Client

    from deliberation.services.publications import document_publish

    organizer = Participant.objects.create(
        roundtable=roundtable, display_name="Organizer", actor_type="", language="es", role=Role.ORGANIZER
    )
    publish = {"roundtable_id": roundtable.pk, "participant_id": organizer.pk}
    seconds, _ = timed(lambda: document_publish(**publish, slug="benchdoc", note="v"), repeat=1)
    emit({"bench": "document.publish", "seconds": round(seconds, 3)})
    first = questions[0].draft_revisions.order_by("-version").first()
    DraftRevision.objects.create(question=questions[0], version=2, text=first.text + "\nA correction.\n")
    document_publish(**publish, note="A correction")
    # The first reader draws the page (or file); later ones get what the process kept.
    reader = Client(HTTP_HOST="localhost")
    for path in (
        "/p/benchdoc/v1/?lang=es",
        "/p/benchdoc/?lang=es",
        "/p/benchdoc/v2/document.pdf?lang=es",
        "/p/benchdoc/v2/bundle.zip?lang=es",
    ):
        first, response = timed(lambda path=path: reader.get(path), repeat=1)
        assert response.status_code == 200, response.status_code
        kept, _ = timed(lambda path=path: reader.get(path))
        emit(
            {
                "bench": "document.page",
                "path": path,
                "first_seconds": round(first, 3),
                "kept_seconds": round(kept, 4),
                "bytes": len(response.content),
            }
        )


if __name__ == "__main__":
    main()
