"""Upgrading a roundtable that ran on the previous release keeps its history replayable."""

import hashlib

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


def test_events_from_before_the_chain_are_chained_from_the_genesis_at_the_upgrade():
    executor = MigrationExecutor(connection)
    executor.migrate([("deliberation", "0010_seats")])
    old = executor.loader.project_state([("deliberation", "0010_seats")]).apps
    roundtables = old.get_model("deliberation", "Roundtable").objects
    first = roundtables.create(code="OLD2", languages=["en"])
    roundtables.create(code="OLD3")
    question = old.get_model("deliberation", "Question").objects.create(roundtable=first, order=1)
    ana = old.get_model("deliberation", "Participant").objects.create(
        roundtable=first, display_name="Ana", actor_type="sme", language="en"
    )
    events = old.get_model("deliberation", "Event").objects
    for seq in (1, 2):
        events.create(
            roundtable=first,
            seq=seq,
            kind="vote.cast",
            data={"proposal": 5, "question": question.pk, "tally": None},
            private={str(ana.pk): {"my_vote": ["agree", "pass"][seq - 1]}},
            actor=ana,
        )

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    from deliberation.chain import GENESIS, event_hash
    from deliberation.models import Event, Roundtable

    prev = GENESIS
    chained = list(Event.objects.filter(roundtable__code="OLD2").order_by("seq"))
    for event in chained:
        assert event.hash == event_hash(
            prev=prev, seq=event.seq, kind=event.kind, leaves=event.chain["leaves"]
        )
        prev = event.hash
    assert [event.chain["records"]["ballot"]["choice"] for event in chained] == ["agree", "pass"]
    assert chained[0].chain["records"]["ballot"]["voter"] == chained[1].chain["records"]["ballot"]["voter"]
    after = {
        roundtable.code: roundtable for roundtable in Roundtable.objects.filter(code__in=["OLD2", "OLD3"])
    }
    assert after["OLD2"].chain_head == prev and after["OLD3"].chain_head == GENESIS
    assert after["OLD2"].chain_key != after["OLD3"].chain_key, "a key of its own for each roundtable"


def test_theme_names_translated_before_the_upgrade_are_found_and_marked_as_machine_made():
    executor = MigrationExecutor(connection)
    executor.migrate([("deliberation", "0014_run_step_earlier_runs")])
    old = executor.loader.project_state([("deliberation", "0014_run_step_earlier_runs")]).apps
    roundtable = old.get_model("deliberation", "Roundtable").objects.create(
        code="OLD4", languages=["en", "fr"]
    )
    question = old.get_model("deliberation", "Question").objects.create(roundtable=roundtable, order=1)
    ana = old.get_model("deliberation", "Participant").objects.create(
        roundtable=roundtable, display_name="Ana", actor_type="sme", language="en"
    )
    themes = old.get_model("deliberation", "Theme").objects
    proposals = old.get_model("deliberation", "Proposal").objects
    # Theme 1: English taken from a proposal, French from the server (kept on that proposal).
    translated = themes.create(
        question=question, number=1, labels={"en": "Open data", "fr": "Données ouvertes"}
    )
    kept = {"theme-name": {"of": hashlib.sha256(b"Open data").hexdigest()[:16], "fr": "Données ouvertes"}}
    proposals.create(
        question=question, author=ana, text="Open data", language="en", theme=translated, translations=kept
    )
    # Theme 2: both names are proposals' own words.
    written = themes.create(question=question, number=2, labels={"en": "A fund", "fr": "Un fonds"})
    proposals.create(question=question, author=ana, text="A fund", language="en", theme=written)
    proposals.create(question=question, author=ana, text="Un fonds", language="fr", theme=written)

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    from deliberation.models import Theme

    machine = dict(Theme.objects.filter(question__roundtable__code="OLD4").values_list("number", "machine"))
    assert machine == {1: {"fr": "en"}, 2: {}}
