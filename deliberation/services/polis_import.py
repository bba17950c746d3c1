"""Import a Polis export (comments.csv, votes.csv) into a question, so a real deliberation can be
explored, replayed and re-analysed here. Polis's authors and voters become participants named
"Polis <id>"; moderated-out comments (moderated = -1) arrive hidden; the latest vote of each person on
each comment counts. Meant for preparing a roundtable: people already connected see the imported
proposals when their screen next loads a snapshot (a reconnect or a reload)."""

import csv
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from deliberation.analysis.languages import language_detect
from deliberation.errors import ServiceError
from deliberation.models import Participant, Proposal, ProposalStatus, Question, Role, Vote
from deliberation.services.analysis import analysis_request
from deliberation.services.events import roundtable_lock

POLIS_VOTES = {"1": "agree", "-1": "disagree", "0": "pass"}


@dataclass(frozen=True)
class PolisImport:
    participants: int
    proposals: int
    votes: int


def _rows(path: Path, required: set[str]) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as stream:
        reader = csv.DictReader(stream)
        missing = required - set(reader.fieldnames or [])
        if missing:
            raise ServiceError("csv_unreadable")
        return list(reader)


def polis_import(*, question: Question, directory: Path) -> PolisImport:
    comments = _rows(directory / "comments.csv", {"comment-id", "author-id", "moderated", "comment-body"})
    votes = _rows(directory / "votes.csv", {"timestamp", "comment-id", "voter-id", "vote"})
    roundtable = question.roundtable
    languages = roundtable.languages or ["en"]
    with transaction.atomic():
        roundtable_lock(roundtable_id=roundtable.pk)
        people: dict[str, Participant] = {}

        def person(polis_id: str) -> Participant:
            if polis_id not in people:
                people[polis_id] = Participant(
                    roundtable=roundtable,
                    display_name=f"Polis {polis_id}",
                    actor_type="",
                    language=languages[0],
                    role=Role.PARTICIPANT,
                )
            return people[polis_id]

        for row in comments:
            person(row["author-id"])
        for row in votes:
            person(row["voter-id"])
        Participant.objects.bulk_create(people.values())
        proposals = {}
        for row in sorted(comments, key=lambda row: int(row["comment-id"])):
            text = " ".join(row["comment-body"].split())[:2000]
            if not text:
                continue
            proposals[row["comment-id"]] = Proposal(
                question=question,
                author=people[row["author-id"]],
                text=text,
                language=language_detect(text, candidates=languages, default=languages[0]),
                status=ProposalStatus.HIDDEN if row["moderated"] == "-1" else ProposalStatus.VISIBLE,
            )
        Proposal.objects.bulk_create(proposals.values())
        latest: dict[tuple[str, str], str] = {}
        for row in sorted(votes, key=lambda row: int(row["timestamp"] or 0)):
            if row["comment-id"] in proposals and row["vote"] in POLIS_VOTES:
                latest[(row["voter-id"], row["comment-id"])] = POLIS_VOTES[row["vote"]]
        Vote.objects.bulk_create(
            Vote(proposal=proposals[comment], participant=people[voter], choice=choice)
            for (voter, comment), choice in latest.items()
        )
        analysis_request(question_id=question.pk)
    return PolisImport(participants=len(people), proposals=len(proposals), votes=len(latest))
