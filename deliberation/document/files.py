"""Every file a document is downloaded as, by name: one place that the pages and `export_document` both
call, so a download and a command-line export are the same bytes. Call under translation.override."""

from pathlib import Path
from typing import Any

from deliberation.document.export_data import (
    document_bundle,
    document_json,
    polis_comments_csv,
    polis_votes_csv,
)
from deliberation.document.export_markdown import document_markdown
from deliberation.document.export_pdf import document_pdf
from deliberation.document.record import record_events

SCHEMA_PATH = Path(__file__).resolve().with_name("schema.json")
# export_document's --format, as the file it writes.
FORMAT_FILES = {"md": "document.md", "pdf": "document.pdf", "json": "document.json", "bundle": "bundle.zip"}


def document_schema_text() -> str:
    return SCHEMA_PATH.read_text(encoding="utf-8")


def question_csv_names(document: dict[str, Any]) -> list[tuple[int, str, str]]:
    """(question order, proposals file, votes file) for each question."""
    return [
        (question["order"], f"q{question['order']}-comments.csv", f"q{question['order']}-votes.csv")
        for question in document["questions"]
    ]


def document_file_render(document: dict[str, Any], filename: str, language: str) -> tuple[bytes, str] | None:
    """(content, content type) of one of the document's files, or None for a name it has no file by."""
    if filename == "document.md":
        return document_markdown(document, language).encode(), "text/markdown; charset=utf-8"
    if filename == "document.pdf":
        return document_pdf(document, language), "application/pdf"
    if filename == "document.json":
        return document_json(document).encode(), "application/json; charset=utf-8"
    if filename == "bundle.zip":
        bundle = document_bundle(
            document,
            language=language,
            schema=document_schema_text(),
            record=record_events(document=document),
        )
        return bundle, "application/zip"
    for order, comments, votes in question_csv_names(document):
        if filename == comments:
            return polis_comments_csv(document, order).encode(), "text/csv; charset=utf-8"
        if filename == votes:
            return polis_votes_csv(document, order).encode(), "text/csv; charset=utf-8"
    return None
