"""Reading published versions: find one, and draw its page or a file in a language. A version never
changes, so what is drawn from it is kept (`CACHES["documents"]`, per process): everyone follows the link
the moment it is published, and drawing a page takes 40-80 ms at full-session size (decoding the frozen
JSON, and for a correction diffing two versions), a PDF 0.2 s, the bundle 0.3 s."""

import difflib
from typing import Any

from asgiref.sync import sync_to_async
from django.core.cache import caches
from django.utils import translation

from deliberation.document.export_markdown import document_markdown
from deliberation.document.files import document_file_render, question_csv_names
from deliberation.document.view import document_view
from deliberation.models import Publication, Roundtable

# Files up to this size are kept once drawn (the PDF, Markdown, CSVs and bundle at full-session size);
# the whole-document JSON (5 MB there) is rendered on each download instead of filling memory.
FILE_KEPT_MAX_BYTES = 2 * 1024 * 1024


def publication_find(*, slug: str, version: int | None) -> tuple[Publication, list[Publication]] | None:
    """The version asked for (the latest when None) and every version, without their frozen documents."""
    versions = list(Publication.objects.filter(slug=slug).order_by("version").defer("document"))
    if not versions:
        return None
    if version is None:
        return versions[-1], versions
    chosen = next((item for item in versions if item.version == version), None)
    return (chosen, versions) if chosen is not None else None


def _kept_key(publication: Publication, *parts: str) -> str:
    # The publication time is in the key because ids come back in a database that was emptied.
    return ":".join([str(publication.pk), str(publication.published_at.timestamp()), *parts])


def _record_seq(roundtable_id: int) -> int:
    return Roundtable.objects.values_list("last_seq", flat=True).get(pk=roundtable_id)


def _frozen(publication_id: int) -> dict[str, Any]:
    return Publication.objects.values_list("document", flat=True).get(pk=publication_id)


def publication_changes(
    previous: dict[str, Any], current: dict[str, Any], language: str
) -> list[tuple[str, str]]:
    """The lines that differ between two versions' Markdown, in the reader's language."""
    before = document_markdown(previous, language).splitlines()
    after = document_markdown(current, language).splitlines()
    changes = []
    for line in difflib.unified_diff(before, after, lineterm="", n=0):
        if line.startswith(("+++", "---", "@@")):
            continue
        if line.startswith(("+", "-")) and line[1:].strip():
            changes.append(("added" if line[0] == "+" else "removed", line[1:]))
    return changes


def publication_page(*, publication: Publication, language: str) -> dict[str, Any]:
    """What a version's page shows in one language: the document's view, its changes since the version
    before (None for version 1), and its per-question CSV names."""
    key = _kept_key(publication, "page", language)
    kept = caches["documents"].get(key)
    if kept is None:
        document = _frozen(publication.pk)
        changes = None
        if publication.version > 1:
            previous = Publication.objects.values_list("document", flat=True).get(
                slug=publication.slug, version=publication.version - 1
            )
            changes = publication_changes(previous, document, language)
        with translation.override(language):
            kept = {
                "view": document_view(document, language),
                "changes": changes,
                "csv_names": question_csv_names(document),
            }
        caches["documents"].set(key, kept)
    return kept


def _render(document: dict[str, Any], filename: str, language: str) -> tuple[bytes, str] | None:
    with translation.override(language):
        return document_file_render(document, filename, language)


async def publication_file_render(
    *, publication: Publication, filename: str, language: str
) -> tuple[bytes, str] | None:
    """A version's file (body, content type) in a language, or None for a name that is no file. Drawn on
    a worker thread of its own, so concurrent readers' downloads render in parallel."""
    parts = ["file", filename, language]
    if filename == "bundle.zip":
        # The bundle carries the live event record (an erasure after publishing withholds what it took
        # out), so what is kept is keyed by the record's last seq too.
        parts.append(str(await sync_to_async(_record_seq)(publication.roundtable_id)))
    key = _kept_key(publication, *parts)
    kept = await caches["documents"].aget(key)
    if kept is None:
        document = await sync_to_async(_frozen)(publication.pk)
        kept = await sync_to_async(_render, thread_sensitive=False)(document, filename, language)
        if kept is not None and len(kept[0]) <= FILE_KEPT_MAX_BYTES:
            await caches["documents"].aset(key, kept)
    return kept
