"""Test data. Roundtables come from the real seed card so tests speak about the real session."""

import json
from pathlib import Path

import factory

from deliberation.models import (
    Participant,
    Proposal,
    ProposalStatus,
    Question,
    QuestionState,
    Role,
    Roundtable,
    Theme,
)

SEED_PATH = Path(__file__).resolve().parents[1] / "deliberation" / "seed" / "session-1.1.1.json"
SEED = json.loads(SEED_PATH.read_text(encoding="utf-8"))


class RoundtableFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Roundtable
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"RT{n:04d}")
    title = factory.LazyFunction(lambda: dict(SEED["session"]["title"]))
    languages = factory.LazyFunction(lambda: ["en", "es", "fr"])
    actor_types = factory.LazyFunction(lambda: list(SEED["actor_types"]))
    capacity = 150

    @factory.post_generation
    def questions(roundtable, create, extracted, **kwargs):
        """Four questions from the seed; the first collects proposals, the second is voting only."""
        if not create:
            return
        states = extracted or [
            QuestionState.COLLECTING,
            QuestionState.VOTING,
            QuestionState.CLOSED,
            QuestionState.CLOSED,
        ]
        for seed_question, state in zip(SEED["questions"], states, strict=False):
            Question.objects.create(
                roundtable=roundtable,
                order=seed_question["order"],
                text={lang: seed_question[lang] for lang in ("en", "es", "fr")},
                state=state,
            )


class ParticipantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Participant

    roundtable = factory.SubFactory(RoundtableFactory)
    display_name = factory.Faker("first_name")
    actor_type = "civil-society"
    language = "en"
    role = Role.PARTICIPANT


class ProposalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Proposal

    question = factory.LazyAttribute(lambda o: o.author.roundtable.questions.get(order=1))
    author = factory.SubFactory(ParticipantFactory)
    text = factory.Faker("sentence", nb_words=12)
    language = "en"
    status = ProposalStatus.VISIBLE


class ThemeFactory(factory.django.DjangoModelFactory):
    """A theme as an analysis run leaves it: `labels` per language, `machine` for those a translation
    server made ({"fr": "en"}); give it proposals with `proposals=[...]`."""

    class Meta:
        model = Theme
        skip_postgeneration_save = True

    number = factory.Sequence(lambda n: n + 1)
    labels = factory.LazyFunction(dict)
    machine = factory.LazyFunction(dict)

    @factory.post_generation
    def proposals(self, create, extracted, **kwargs):
        if create and extracted:
            Proposal.objects.filter(pk__in=[getattr(item, "pk", item) for item in extracted]).update(
                theme=self
            )
