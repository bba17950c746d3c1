"""A small roundtable and the actions that change it, with what each viewer receives: shared by the
Python reducer test (tests/deliberation/test_events.py) and the browser reducer test."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from deliberation.models import Participant, Proposal, ProposalStatus, Roundtable
from deliberation.selectors import roundtable_snapshot
from deliberation.services.participants import participant_join
from deliberation.services.proposals import proposal_submit
from deliberation.services.votes import vote_cast
from tests.factories import ParticipantFactory, ProposalFactory, RoundtableFactory
from tests.support.state import events_seen_by


@dataclass
class Scene:
    roundtable: Roundtable
    ana: Participant
    ben: Participant
    proposal: Proposal

    @property
    def viewers(self) -> dict[str, Participant | None]:
        """The actor, someone else, and an anonymous watcher."""
        return {"ana": self.ana, "ben": self.ben, "watcher": None}

    def submit(self, author: Participant, text: str) -> int:
        question = self.roundtable.questions.get(order=1)
        result = proposal_submit(
            roundtable_id=self.roundtable.pk, participant_id=author.pk, question_id=question.pk, text=text
        )
        return result.result["proposal"]

    def vote(self, voter: Participant, proposal_id: int, choice: str) -> None:
        vote_cast(
            roundtable_id=self.roundtable.pk, participant_id=voter.pk, proposal_id=proposal_id, choice=choice
        )


def scene_build() -> Scene:
    roundtable = RoundtableFactory()
    ana = ParticipantFactory(roundtable=roundtable, display_name="Ana", actor_type="government-local")
    ben = ParticipantFactory(
        roundtable=roundtable, display_name="Ben", actor_type="academia-research", language="es"
    )
    proposal = ProposalFactory(author=ana, text="Open budgets")
    ProposalFactory(author=ben, status=ProposalStatus.HIDDEN)
    return Scene(roundtable=roundtable, ana=ana, ben=ben, proposal=proposal)


def submit_a_proposal(scene: Scene) -> None:
    scene.submit(scene.ana, "Shared budgets for every partnership")


def cast_and_change_votes(scene: Scene) -> None:
    scene.vote(scene.ben, scene.proposal.pk, "agree")
    scene.vote(scene.ana, scene.proposal.pk, "pass")
    scene.vote(scene.ben, scene.proposal.pk, "disagree")


def vote_on_a_new_proposal(scene: Scene) -> None:
    scene.vote(scene.ben, scene.submit(scene.ana, "Territorial councils"), "disagree")


def someone_joins(scene: Scene) -> None:
    participant_join(roundtable=scene.roundtable, display_name="Chloé", actor_type="sme", language="fr")


ACTIONS: list[Callable[[Scene], None]] = [
    submit_a_proposal,
    cast_and_change_votes,
    vote_on_a_new_proposal,
    someone_joins,
]


def scene_record(scene: Scene, action: Callable[[Scene], None]) -> list[dict[str, Any]]:
    """For each viewer: the snapshot before `action`, the events it then receives, a snapshot after."""
    before = {
        name: roundtable_snapshot(roundtable=scene.roundtable, viewer=v) for name, v in scene.viewers.items()
    }
    action(scene)
    return [
        {
            "viewer": name,
            "before": before[name],
            "events": events_seen_by(
                roundtable_id=scene.roundtable.pk,
                seq=before[name]["seq"],
                viewer_id=viewer.pk if viewer else None,
            ),
            "after": roundtable_snapshot(roundtable=scene.roundtable, viewer=viewer),
        }
        for name, viewer in scene.viewers.items()
    ]
