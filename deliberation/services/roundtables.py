import datetime
from typing import Any

from django.db import transaction

from deliberation.models import Question, QuestionState, Roundtable


def roundtable_load_seed(*, seed: dict[str, Any], code: str) -> tuple[Roundtable, bool]:
    """Create the roundtable a seed card describes (see ../shared/seed/), with its first question open.

    Returns (roundtable, created). A roundtable with this code that exists already is left exactly as
    it is: it may be running, and a seed must never reset a live session."""
    existing = Roundtable.objects.filter(code__iexact=code).first()
    if existing is not None:
        return existing, False
    session = seed["session"]
    with transaction.atomic():
        roundtable = Roundtable.objects.create(
            code=code,
            title=session["title"],
            event_name=seed.get("event", {}).get("name", {}),
            objectives=session.get("objectives", {}),
            languages=session["languages"],
            actor_types=seed["actor_types"],
            capacity=session.get("capacity", 150),
            starts_at=_parse_datetime(session.get("starts_at")),
            ends_at=_parse_datetime(session.get("ends_at")),
        )
        for question in sorted(seed["questions"], key=lambda q: q["order"]):
            Question.objects.create(
                roundtable=roundtable,
                order=question["order"],
                text={lang: question[lang] for lang in roundtable.languages if lang in question},
                state=QuestionState.COLLECTING if question["order"] == 1 else QuestionState.CLOSED,
            )
    return roundtable, True


def _parse_datetime(value: str | None) -> datetime.datetime | None:
    return datetime.datetime.fromisoformat(value) if value else None
