"""What the live protocol shows of the drafting: each question's draft, commitments and room checks, and
the published versions. Read models only; services/drafts.py, statements.py and publications.py write."""

from typing import Any

from django.urls import reverse

from deliberation.document.build import (
    draft_outdated,
    draft_source,
    drafts_corrected,
    drafts_latest,
    statement_results,
    texts_entries,
    texts_public,
)
from deliberation.document.markdown import PROPOSAL, citations_find, markdown_html
from deliberation.models import (
    Commitment,
    DraftRevision,
    Publication,
    Question,
    Statement,
    StatementResponse,
)


def draft_html(*, text: str) -> str:
    """A draft rendered for moderators. Every citation is linked, whether or not it resolves: the HTML
    depends on the text alone, and each console marks, labels and describes the citations from its own
    live state (a cited proposal hidden later shows as missing there, at once, in its language)."""

    def link(kind: str, number: int) -> tuple[str, str, str]:
        label = f"#{number}" if kind == PROPOSAL else f"{kind}:{number}"
        return f"#{kind}-{number}", label, ""

    return markdown_html(text, link=link) if text.strip() else ""


def draft_view(*, revision: DraftRevision, source: DraftRevision | None, corrected: bool) -> dict[str, Any]:
    """One language's latest version, with where it came from: written by a moderator, or proposed by
    machine translation (of which language's version), who reviewed it when, and whether the original
    changed since (`outdated`)."""
    cited = citations_find(revision.text)
    return {
        "language": revision.language,
        "version": revision.version,
        "text": revision.text,
        "html": draft_html(text=revision.text),
        "author": revision.author.display_name if revision.author else None,
        "merged": revision.merged,
        "saved_at": revision.created_at.isoformat(),
        "machine": revision.machine,
        "source_language": revision.source_language or None,
        "source_version": revision.source_version,
        # A person's correction of a machine translation (else, with a source, a person's translation).
        "corrected": corrected,
        "outdated": draft_outdated(revision, source),
        "reviewed_by": revision.reviewed_by_name or None,
        "reviewed_at": revision.reviewed_at.isoformat() if revision.reviewed_at else None,
        "citations": {"proposals": cited.proposals, "themes": cited.themes, "checks": cited.checks},
    }


def question_draft(*, question: Question) -> dict[str, Any]:
    """A question's conclusions in each language written so far (the whole of it travels in every
    `draft.updated`, so a console replaces what it holds for the question)."""
    latest = drafts_latest(question_id=question.pk)
    source = draft_source(latest)
    corrected = drafts_corrected(question_id=question.pk, latest=latest)
    return {
        "question": question.pk,
        "languages": {
            language: draft_view(revision=revision, source=source, corrected=language in corrected)
            for language, revision in latest.items()
        },
    }


def commitment_view(commitment: Commitment) -> dict[str, Any]:
    return {
        "id": commitment.pk,
        "what": commitment.what,
        "language": commitment.language,
        "texts": texts_entries(commitment),
        "actor_type": commitment.actor_type,
        "organisation": commitment.organisation,
        "due": commitment.due.isoformat() if commitment.due else None,
    }


def question_commitments(*, question_id: int) -> list[dict[str, Any]]:
    return [
        commitment_view(item) for item in Commitment.objects.filter(question_id=question_id).order_by("id")
    ]


def statement_views(*, statements: list[Statement]) -> list[dict[str, Any]]:
    return [
        {
            "id": statement.pk,
            "question": statement.question_id,
            **result,
            "language": statement.language,
            # Public: each phone shows its own language's text, marked as machine-made until reviewed.
            "texts": texts_public(statement),
        }
        for statement, result in zip(statements, statement_results(statements=statements), strict=True)
    ]


def statement_view(*, statement: Statement) -> dict[str, Any]:
    return statement_views(statements=[statement])[0]


def statements_for(*, roundtable_id: int, viewer_id: int | None) -> list[dict[str, Any]]:
    statements = list(
        Statement.objects.filter(question__roundtable_id=roundtable_id).order_by("question__order", "number")
    )
    mine = (
        dict(
            StatementResponse.objects.filter(
                participant_id=viewer_id, statement__question__roundtable_id=roundtable_id
            ).values_list("statement_id", "choice")
        )
        if viewer_id is not None
        else {}
    )
    # Every connection reads this in its snapshot: one query for all the counts, not one per statement.
    return [{**view, "my_response": mine.get(view["id"])} for view in statement_views(statements=statements)]


def publication_view(publication: Publication) -> dict[str, Any]:
    return {
        "slug": publication.slug,
        "version": publication.version,
        "published_at": publication.published_at.isoformat(),
        "note": publication.note,
        "url": reverse("deliberation:publication", kwargs={"slug": publication.slug}),
    }


def publications_for(*, roundtable_id: int) -> list[dict[str, Any]]:
    return [
        publication_view(item)
        for item in Publication.objects.filter(roundtable_id=roundtable_id).order_by("version")
    ]


def drafting_snapshot(
    *, roundtable_id: int, questions: list[Question], viewer_id: int | None, staff: bool
) -> dict[str, Any]:
    """The snapshot's part: statements and publications for everyone; drafts and commitments for staff."""
    part: dict[str, Any] = {
        "statements": statements_for(roundtable_id=roundtable_id, viewer_id=viewer_id),
        "publications": publications_for(roundtable_id=roundtable_id),
    }
    if staff:
        part["drafts"] = [question_draft(question=question) for question in questions]
        part["commitments"] = [
            {"question": question.pk, "items": question_commitments(question_id=question.pk)}
            for question in questions
        ]
    return part
