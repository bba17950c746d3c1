"""The whole proposal document as plain data, read from a roundtable as it is now: what gets frozen when
an organizer publishes, and what the draft exports show before that. Its shape is `schema.json`."""

import dataclasses
import datetime
import random
from collections import Counter, defaultdict
from typing import Any

from django.conf import settings
from django.db.models import Count, OuterRef, Subquery
from django.utils import timezone

from deliberation.analysis.breakdowns import OTHER, make_up_fold, tallies_fold
from deliberation.analysis.opinions import OpinionSettings
from deliberation.analysis.themes import ThemeSettings, theme_unsorted
from deliberation.document.figures import coverage_compute, tallies_count, tally_new
from deliberation.document.markdown import Citations, citations_find
from deliberation.models import (
    Commitment,
    DraftRevision,
    Participant,
    Proposal,
    ProposalStatus,
    Question,
    Role,
    Roundtable,
    Statement,
    StatementResponse,
    Theme,
    Vote,
)
from deliberation.texts import text_fingerprint

SCHEMA = "https://roundtable.example/schemas/document-1.json"


def draft_latest(*, question_id: int, language: str) -> DraftRevision | None:
    return (
        DraftRevision.objects.filter(question_id=question_id, language=language)
        .select_related("author")
        .order_by("-version")
        .first()
    )


def drafts_latest(*, question_id: int) -> dict[str, DraftRevision]:
    """Each language's latest version of a question's conclusions, in one query (not every autosave)."""
    newest = (
        DraftRevision.objects.filter(question=OuterRef("question"), language=OuterRef("language"))
        .order_by("-version")
        .values("version")[:1]
    )
    revisions = (
        DraftRevision.objects.filter(question_id=question_id, version=Subquery(newest))
        .select_related("author")
        .order_by("language")
    )
    return {revision.language: revision for revision in revisions}


def draft_source(latest: dict[str, DraftRevision]) -> DraftRevision | None:
    """The version the other languages are translated from: the most recent one a moderator wrote
    themselves (not a translation, machine-made or corrected), with text in it."""
    written = [
        revision
        for revision in latest.values()
        if not revision.machine and not revision.source_language and revision.text.strip()
    ]
    return max(written, key=lambda revision: (revision.created_at, revision.pk), default=None)


def drafts_corrected(*, question_id: int, latest: dict[str, DraftRevision]) -> set[str]:
    """The languages whose latest text is a person's correction of a machine translation (a machine
    version came before it), as against a translation a person wrote from the start."""
    translated = [
        language for language, revision in latest.items() if revision.source_language and not revision.machine
    ]
    if not translated:
        return set()
    return set(
        DraftRevision.objects.filter(question_id=question_id, language__in=translated, machine=True)
        .values_list("language", flat=True)
        .distinct()
    )


def draft_outdated(revision: DraftRevision, source: DraftRevision | None) -> bool:
    """A translation (machine-made or a person's) of a version of the original older than the one now
    written: the original changed after it was made or reviewed, so it no longer says what the original
    says, and no one may claim it was reviewed against it. Derived from the versions, not stored, so a
    save of the original marks every other language at once, in its one event."""
    return (
        source is not None
        and bool(revision.source_language)
        and (revision.source_language, revision.source_version) != (source.language, source.version)
    )


def texts_entries(item: Commitment | Statement) -> dict[str, dict[str, Any]]:
    """A commitment's or room check's texts in other languages that a moderator wrote or the translation
    pass proposed (services/texts.py), of its text as it is now. Not the translations a reader asked for
    on their own (those have no "machine" mark: they are that reader's, and change nothing for others)."""
    fingerprint = text_fingerprint(item.what if isinstance(item, Commitment) else item.text)
    return {
        language: {
            "text": entry["text"],
            "machine": bool(entry["machine"]),
            "author": entry.get("author"),
            "at": entry.get("at"),
            "reviewed_by": entry.get("reviewed_by"),
            "reviewed_at": entry.get("reviewed_at"),
        }
        for language, entry in sorted(item.translations.items())
        if "machine" in entry and entry.get("of") == fingerprint
    }


def texts_public(item: Commitment | Statement) -> dict[str, dict[str, Any]]:
    """What every phone may read of them: the text, whether a machine made it, and which moderator
    reviewed (or wrote) it when (staff appear to the room under their names anyway)."""
    return {
        language: {key: entry[key] for key in ("text", "machine", "reviewed_by", "reviewed_at")}
        for language, entry in texts_entries(item).items()
    }


def conclusions_build(*, question_id: int) -> tuple[dict[str, Any], Citations]:
    """A question's conclusions in each language for the document, and what they cite (in any language:
    a translation that lost a citation must not make the cited proposal disappear from the document)."""
    latest = drafts_latest(question_id=question_id)
    source = draft_source(latest)
    corrected = drafts_corrected(question_id=question_id, latest=latest)
    texts = {
        language: {
            "markdown": revision.text,
            "version": revision.version,
            "saved_at": revision.created_at.isoformat(),
            "machine": revision.machine,
            "translated_from": revision.source_language or None,
            "corrected": language in corrected,
            "outdated": draft_outdated(revision, source),
            "reviewed_by": revision.reviewed_by_name or None,
            "reviewed_at": revision.reviewed_at.isoformat() if revision.reviewed_at else None,
        }
        for language, revision in latest.items()
        if revision.text.strip()
    }
    cited = Citations(proposals=[], themes=[], checks=[])
    for revision in latest.values():
        found = citations_find(revision.text)
        for kind in ("proposals", "themes", "checks"):
            known = getattr(cited, kind)
            known.extend(number for number in getattr(found, kind) if number not in known)
    return {
        # The original (what the others were translated from), as documents before per-language texts had.
        "markdown": source.text if source else "",
        "language": source.language if source else None,
        "version": source.version if source else 0,
        "saved_at": source.created_at.isoformat() if source else None,
        "texts": texts,
    }, cited


def document_build(*, roundtable: Roundtable) -> dict[str, Any]:
    """The document as of now, marked as a draft; publishing adds the version and freezes it."""
    # Read before the data: under publishing's lock nothing moves; for a draft in a live room, later
    # events may reach the figures, and `verify` says where they differ from this head.
    head_seq, head_hash = Roundtable.objects.values_list("last_seq", "chain_head").get(pk=roundtable.pk)
    questions = list(roundtable.questions.order_by("order"))
    people = dict(
        Participant.objects.filter(roundtable=roundtable, role=Role.PARTICIPANT).values_list(
            "pk", "actor_type"
        )
    )
    proposals = list(
        Proposal.objects.filter(question__roundtable=roundtable, status=ProposalStatus.VISIBLE)
        .select_related("author")
        .order_by("id")
    )
    visible_ids = {proposal.pk for proposal in proposals}
    votes = list(
        Vote.objects.filter(proposal_id__in=visible_ids, participant__role=Role.PARTICIPANT)
        .order_by("updated_at", "id")
        .values_list("proposal_id", "participant_id", "choice", "updated_at")
    )
    question_of = {proposal.pk: proposal.question_id for proposal in proposals}
    voter_numbers, author_numbers = pseudonyms_draw(
        questions=questions, proposals=proposals, votes=votes, people=people
    )
    by_question = {
        question.pk: _question_section(question=question, proposals=proposals, votes=votes, people=people)
        for question in questions
    }
    voters = {participant_id for _, participant_id, _, _ in votes}
    authors = {proposal.author_id for proposal in proposals if proposal.author_id in people}
    proposals_by_type = Counter(people.get(proposal.author_id, "") for proposal in proposals)
    votes_by_type = Counter(people.get(participant_id, "") for _, participant_id, _, _ in votes)
    joined_by_type = Counter(people.values())
    encoders = sorted({proposal.vector_encoder for proposal in proposals if proposal.vector_encoder})
    return {
        "$schema": SCHEMA,
        "status": "draft",
        "version": None,
        "slug": None,
        "published_at": None,
        "note": "",
        "generated_at": timezone.now().isoformat(),
        # The event log it was built from: its last event, whose hash commits to every event before it
        # (python -m deliberation.verify checks the figures below against those events).
        "chain": {"seq": head_seq, "hash": head_hash},
        "roundtable": {
            "code": roundtable.code,
            "title": roundtable.title,
            "event": roundtable.event_name,
            "objectives": roundtable.objectives,
            "organizers": roundtable.organizers,
            "starts_at": roundtable.starts_at.isoformat() if roundtable.starts_at else None,
            "ends_at": roundtable.ends_at.isoformat() if roundtable.ends_at else None,
            "time_zone": roundtable.time_zone,
            "languages": roundtable.languages,
            "actor_types": roundtable.actor_types,
        },
        "participation": {
            "people": len(people),
            "spoke": len(authors),
            "voted": len(voters),
            "proposals": len(proposals),
            "votes": len(votes),
            "by_actor_type": [
                {
                    "key": key,
                    "people": joined_by_type.get(key, 0),
                    "proposals": proposals_by_type.get(key, 0),
                    "votes": votes_by_type.get(key, 0),
                }
                for key in _actor_type_keys(roundtable, set(joined_by_type))
            ],
        },
        "questions": [by_question[question.pk] for question in questions],
        "run_of_show": run_of_show_record(roundtable=roundtable),
        "votes": [
            {
                "proposal": proposal_id,
                "voter": voter_numbers[question_of[proposal_id], participant_id],
                "choice": choice,
                "at": updated_at.isoformat(),
            }
            for proposal_id, participant_id, choice, updated_at in votes
        ],
        "authors": {
            str(proposal.pk): author_numbers.get((proposal.question_id, proposal.author_id))
            for proposal in proposals
        },
        "algorithms": {
            "themes": dataclasses.asdict(ThemeSettings()),
            "opinions": dataclasses.asdict(OpinionSettings()),
            "encoders": encoders,
            "themes_method": "multilingual sentence vectors of each proposal and of its content words, each "
            "centred per language and added, k-nearest-neighbour graph, seeded Louvain communities; named by "
            "the most central proposal, shortened",
            "opinions_method": "Pol.is: mean-imputed PCA (2 components), k-means k=2..5 by silhouette, "
            "representativeness z-tests, group-informed consensus",
        },
    }


def run_of_show_record(*, roundtable: Roundtable) -> dict[str, Any] | None:
    """The plan and what actually happened, step by step (None when the roundtable had no plan):
    planned and actual start, end and length, skipped steps, time added, and the runs that "back" set
    aside (a step cut short and run again later, or run again from its start)."""
    from deliberation.selectors import run_of_show_public

    value = run_of_show_public(roundtable=roundtable)
    if value is None:
        return None

    def seconds(run: dict[str, Any]) -> int | None:
        if not run["started_at"] or not run["ended_at"]:
            return None
        began = datetime.datetime.fromisoformat(run["started_at"])
        return round((datetime.datetime.fromisoformat(run["ended_at"]) - began).total_seconds())

    def earlier(step: dict[str, Any]) -> list[dict[str, Any]]:
        return [
            {
                "started_at": run["started_at"],
                "ended_at": run["ended_at"],
                "seconds": seconds(run),
                "skipped": run["skipped"],
                "extended_seconds": run["extended_seconds"],
                "reason": run["reason"],
            }
            for run in step.get("earlier_runs") or []
        ]

    def actual(step: dict[str, Any]) -> int | None:
        """Every run that ended, added: a step back returned to ran for both its runs."""
        ran = [seconds(run) for run in [*(step.get("earlier_runs") or []), step]]
        ended = [value for value in ran if value is not None]
        return sum(ended) if ended else None

    return {
        "state": value["state"],
        "planned_start": value["planned_start"],
        "planned_end": value["planned_end"],
        "started_at": value["started_at"],
        "ended_at": value["projected_end"] if value["state"] == "finished" else None,
        "steps": [
            {
                "kind": step["kind"],
                "question": step["question_order"],
                "phase": step["phase"],
                "title": step["title"],
                "planned_seconds": step["planned_seconds"],
                "planned_start": step["planned_start"],
                "started_at": step["started_at"],
                "ended_at": step["ended_at"],
                "actual_seconds": actual(step),
                "skipped": step["skipped"],
                "extended_seconds": step["extended_seconds"],
                "earlier_runs": earlier(step),
            }
            for step in value["steps"]
        ],
    }


# Pseudonyms are drawn at random from this range, all different within a document.
PSEUDONYM_RANGE = range(1, 2**31)


def pseudonyms_draw(
    *,
    questions: list[Question],
    proposals: list[Proposal],
    votes: list[tuple],
    people: dict[int, str],
) -> tuple[dict[tuple[int, int], int], dict[tuple[int, int], int]]:
    """(voter numbers, author numbers), each keyed by (question id, participant id).

    The live screens name the authors of a question that is not anonymous, so a number that stood for a
    person as an author and as a voter would publish that named person's votes; one number across
    questions would tie an anonymous question's proposals to a named author of another. So: a person has
    a voter number per question, an author number per question, all different and random (not the order
    people joined in), and a proposal on an anonymous question has no author number at all. Within a
    question a voter keeps one number: the votes still give the tallies and opinion groups."""
    question_of = {proposal.pk: proposal.question_id for proposal in proposals}
    anonymous = {question.pk for question in questions if question.anonymous}
    voters = sorted({(question_of[proposal_id], participant_id) for proposal_id, participant_id, *_ in votes})
    authors = sorted(
        {
            (proposal.question_id, proposal.author_id)
            for proposal in proposals
            if proposal.author_id in people and proposal.question_id not in anonymous
        }
    )
    numbers = random.SystemRandom().sample(PSEUDONYM_RANGE, len(voters) + len(authors))
    return dict(zip(voters, numbers, strict=False)), dict(zip(authors, numbers[len(voters) :], strict=False))


def _actor_type_keys(roundtable: Roundtable, present: set[str]) -> list[str]:
    keys = [actor_type["key"] for actor_type in roundtable.actor_types]
    return keys + sorted(key for key in present - set(keys) if key)


def _question_section(
    *, question: Question, proposals: list[Proposal], votes: list[tuple], people: dict[int, str]
) -> dict[str, Any]:
    mine = [proposal for proposal in proposals if proposal.question_id == question.pk]
    ids = {proposal.pk for proposal in mine}
    members = {
        int(key): group
        for key, group in (question.opinions or {}).get("state", {}).get("members", {}).items()
    }
    tallies = tallies_count(
        votes=((proposal_id, participant_id, choice) for proposal_id, participant_id, choice, _ in votes),
        proposal_ids=ids,
    )
    by_type: dict[int, dict[str, dict[str, int]]] = defaultdict(lambda: defaultdict(tally_new))
    by_group: dict[int, dict[str, dict[str, int]]] = defaultdict(lambda: defaultdict(tally_new))
    for proposal_id, participant_id, choice, _ in votes:
        if proposal_id not in ids:
            continue
        by_type[proposal_id][people.get(participant_id, "")][choice] += 1
        if participant_id in members:
            by_group[proposal_id][_letter(members[participant_id])][choice] += 1
    opinions = question.opinions or {}
    consensus = [item["proposal"] for item in opinions.get("consensus", []) if item["proposal"] in ids]
    divisive = [item["proposal"] for item in opinions.get("divisive", []) if item["proposal"] in ids]
    themes = list(Theme.objects.filter(question=question).order_by("number"))
    theme_of = {proposal.pk: proposal.theme_id for proposal in mine}
    theme_rows = []
    for theme in themes:
        theme_members = [proposal.pk for proposal in mine if theme_of[proposal.pk] == theme.pk]
        if theme_members:
            theme_rows.append(
                {
                    "number": theme.number,
                    "name": theme.name,
                    "labels": theme.labels,
                    "machine": theme.machine,
                    "proposals": theme_members,
                    "unsorted": theme_unsorted(name=theme.name, size=len(theme_members)),
                }
            )
    numbers = {theme.pk: theme.number for theme in themes}
    conclusions, cited = conclusions_build(question_id=question.pk)
    statements = list(Statement.objects.filter(question=question).order_by("number"))
    minimum = settings.ROUNDTABLE_BREAKDOWN_MIN_GROUP
    type_sizes = Counter(people.values())
    # Stored folded since the analysis does it; folded again for maps stored before it did.
    make_up = make_up_fold(
        {group["id"]: group.get("actor_types", {}) for group in opinions.get("groups", [])}, minimum=minimum
    )

    def author_type(proposal: Proposal) -> str:
        key = people.get(proposal.author_id, proposal.author.actor_type)
        # On an anonymous question, an actor type only one or two people have would name the author.
        if question.anonymous and proposal.author_id in people and type_sizes[key] < minimum:
            return OTHER
        return key

    return {
        "id": question.pk,
        "order": question.order,
        "text": question.text,
        "anonymous": question.anonymous,
        "conclusions": conclusions,
        "citations": {"proposals": cited.proposals, "themes": cited.themes, "checks": cited.checks},
        "coverage": coverage_compute(
            tallies=tallies,
            # Unsorted proposals are not a theme: they count in the support, not in the themes cited.
            themes={row["number"]: row["proposals"] for row in theme_rows if not row["unsorted"]},
            cited_proposals=cited.proposals,
            cited_themes=cited.themes,
        ),
        "themes": theme_rows,
        "proposals": [
            {
                "id": proposal.pk,
                "text": proposal.text,
                "language": proposal.language,
                "actor_type": author_type(proposal),
                "theme": numbers.get(theme_of[proposal.pk]),
                "created_at": proposal.created_at.isoformat(),
                "tally": tallies[proposal.pk],
                "by_actor_type": tallies_fold(by_type[proposal.pk], minimum=minimum),
                "by_group": {key: dict(value) for key, value in sorted(by_group[proposal.pk].items())},
                "consensus": proposal.pk in consensus,
                "divisive": proposal.pk in divisive,
            }
            for proposal in mine
        ],
        "opinion_groups": [
            {"letter": _letter(group["id"]), "size": group["size"], "by_actor_type": make_up[group["id"]]}
            for group in opinions.get("groups", [])
        ],
        "commitments": [
            {
                "what": commitment.what,
                "language": commitment.language or None,
                "texts": texts_entries(commitment),
                "actor_type": commitment.actor_type,
                "organisation": commitment.organisation,
                "due": commitment.due.isoformat() if commitment.due else None,
            }
            for commitment in Commitment.objects.filter(question=question).order_by("id")
        ],
        "checks": statement_results(statements=statements),
    }


def _letter(group: int) -> str:
    return chr(ord("A") + int(group))


def statement_results(*, statements: list[Statement]) -> list[dict[str, Any]]:
    """Statements and how the room answered them, overall and by actor type: one query for all. These are
    public (live and in the document): an actor type with fewer than ROUNDTABLE_BREAKDOWN_MIN_GROUP
    answers is counted with the other small ones, for everyone, staff included: answers to a room check
    are anonymous, and moderators often belong to one of the actor types themselves."""
    tallies: dict[int, dict[str, int]] = defaultdict(tally_new)
    by_type: dict[int, dict[str, dict[str, int]]] = defaultdict(lambda: defaultdict(tally_new))
    rows = (
        StatementResponse.objects.filter(statement__in=[statement.pk for statement in statements])
        .values_list("statement_id", "participant__actor_type", "choice")
        .annotate(n=Count("id"))
    )
    for statement_id, actor_type, choice, count in rows:
        tallies[statement_id][choice] += count
        by_type[statement_id][actor_type][choice] += count
    return [
        {
            "number": statement.number,
            "text": statement.text,
            "language": statement.language or None,
            "texts": texts_entries(statement),
            "state": statement.state,
            "tally": dict(tallies[statement.pk]),
            "by_actor_type": tallies_fold(
                by_type[statement.pk], minimum=settings.ROUNDTABLE_BREAKDOWN_MIN_GROUP
            ),
        }
        for statement in statements
    ]
