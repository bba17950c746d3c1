import json

import pytest
from django.core.management import call_command

from deliberation.models import Event, Participant, Question, QuestionState, Roundtable
from tests.factories import SEED


def database_dump():
    return json.dumps(
        [
            list(Roundtable.objects.values()),
            list(Question.objects.values()),
            list(Participant.objects.values()),
            list(Event.objects.values()),
        ],
        default=str,
        sort_keys=True,
    )


@pytest.mark.django_db
def test_seed_roundtable_loads_the_session_and_a_second_run_changes_nothing(capsys):
    call_command("seed_roundtable")
    first = database_dump()
    call_command("seed_roundtable")

    assert database_dump() == first
    roundtable = Roundtable.objects.get(code="LED111")
    assert roundtable.title["es"].startswith("Alianzas y partenariados entre actores")
    assert roundtable.capacity == 150
    assert len(roundtable.actor_types) == 10
    questions = list(roundtable.questions.order_by("order"))
    assert [q.text["fr"] for q in questions] == [q["fr"] for q in SEED["questions"]]
    assert [q.state for q in questions] == [QuestionState.COLLECTING] + [QuestionState.CLOSED] * 3
    assert "Already loaded" in capsys.readouterr().out
