"""Upgrading a roundtable that ran on the previous release keeps its history replayable."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from deliberation.frames import event_text

pytestmark = pytest.mark.django_db(transaction=True)


def test_events_from_before_audiences_replay_after_the_upgrade():
    executor = MigrationExecutor(connection)
    executor.migrate([("deliberation", "0001_initial")])
    old = executor.loader.project_state([("deliberation", "0001_initial")]).apps
    roundtable = old.get_model("deliberation", "Roundtable").objects.create(code="OLD1", languages=["en"])
    question = old.get_model("deliberation", "Question").objects.create(roundtable=roundtable, order=1)
    ana = old.get_model("deliberation", "Participant").objects.create(
        roundtable=roundtable, display_name="Ana", actor_type="sme", language="en"
    )
    proposal = {"id": 5, "question": question.pk, "text": "Old", "status": "visible"}
    events = old.get_model("deliberation", "Event").objects
    events.create(
        roundtable=roundtable,
        seq=1,
        kind="proposal.submitted",
        data={"proposal": proposal},
        private={"mine": True},
        actor=ana,
    )
    events.create(
        roundtable=roundtable,
        seq=2,
        kind="vote.cast",
        data={"proposal": 5, "tally": {}},
        private={"my_vote": "agree"},
        actor=ana,
    )

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    from deliberation.models import Event

    submitted, voted = Event.objects.filter(roundtable__code="OLD1").order_by("seq")
    assert submitted.private == {str(ana.pk): {"mine": True}}
    assert submitted.data["id"] == 5 and submitted.data["question"] == question.pk
    assert voted.private == {str(ana.pk): {"my_vote": "agree"}}
    assert '"my_vote":"agree"' in event_text(voted).for_viewer(ana.pk)
    assert '"my_vote"' not in event_text(voted).for_viewer(None)
