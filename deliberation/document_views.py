"""The proposal document's pages: staff review the draft (organizers publish it), and anyone reads a
published version at /p/<slug>/ and downloads it. A published page renders the frozen document only."""

import difflib
import json
from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings
from django.contrib import messages
from django.core.cache import caches
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from deliberation.access import allowed_to
from deliberation.document.build import document_build
from deliberation.document.export_markdown import document_markdown
from deliberation.document.files import document_file_render, question_csv_names
from deliberation.document.view import document_view
from deliberation.errors import ServiceError
from deliberation.forms import PublishForm
from deliberation.models import Participant, Publication, Role, Roundtable
from deliberation.policy import Action, policy_allows
from deliberation.services.publications import citations_unresolved, document_publish
from deliberation.texts import text_in_language


def _reader_language(request: HttpRequest) -> str:
    """?lang= when a link asks for one (a download in a given language), else the reader's own."""
    asked = request.GET.get("lang", "")
    supported = {code for code, _name in settings.LANGUAGES}
    return asked if asked in supported else translation.get_language()


def _download_name(document: dict[str, Any], filename: str) -> str:
    base = document.get("slug") or slugify(document["roundtable"]["code"])
    version = f"v{document['version']}" if document.get("version") else "draft"
    return f"{base}-{version}-{filename}"


def document_file(document: dict[str, Any], filename: str, language: str) -> HttpResponse:
    """One download of a document, by its file name: the same files for a draft and a published version."""
    with translation.override(language):
        rendered = document_file_render(document, filename, language)
    if rendered is None:
        raise Http404
    body, kind = rendered
    response = HttpResponse(body, content_type=kind)
    response["Content-Disposition"] = f'attachment; filename="{_download_name(document, filename)}"'
    response["Content-Language"] = language
    return response


def _files(document: dict[str, Any]) -> list[tuple[str, str]]:
    files = [
        ("document.pdf", _("PDF")),
        ("document.md", _("Markdown")),
        ("document.json", _("JSON (the whole structured document)")),
        ("bundle.zip", _("Re-analysis bundle (data and algorithm settings)")),
    ]
    for order, comments, votes in question_csv_names(document):
        files += [
            (comments, _("Question %(order)s: proposals, CSV in Polis format") % {"order": order}),
            (votes, _("Question %(order)s: votes, CSV in Polis format") % {"order": order}),
        ]
    return files


# Staff: review the draft, publish ------------------------------------------------------------------


@require_GET
@allowed_to(Action.DOCUMENT_REVIEW)
def document_review(request: HttpRequest, roundtable: Roundtable, staff: Participant) -> HttpResponse:
    return _review_page(request, roundtable, staff)


def _review_page(
    request: HttpRequest,
    roundtable: Roundtable,
    staff: Participant,
    form: PublishForm | None = None,
    error: str = "",
) -> HttpResponse:
    document = document_build(roundtable=roundtable)
    language = translation.get_language()
    published = list(Publication.objects.filter(roundtable=roundtable).order_by("-version"))
    context = {
        "roundtable": roundtable,
        "title": text_in_language(roundtable.title, language, roundtable.languages),
        "view": document_view(document, language),
        "files": _files(document),
        "published": published,
        "can_publish": policy_allows(role=staff.role, action=Action.DOCUMENT_PUBLISH),
        "can_organize": staff.role == Role.ORGANIZER,
        "form": form
        or PublishForm(
            initial={
                "slug": published[0].slug if published else slugify(roundtable.code),
                "organizers": "\n".join(roundtable.organizers),
            }
        ),
        "slug_fixed": bool(published),
        "unresolved": citations_unresolved(document),
        "error": error,
    }
    return render(request, "deliberation/document_review.html", context, status=400 if error else 200)


@require_GET
@allowed_to(Action.DOCUMENT_REVIEW)
def document_draft_file(
    request: HttpRequest, roundtable: Roundtable, staff: Participant, filename: str
) -> HttpResponse:
    return document_file(document_build(roundtable=roundtable), filename, _reader_language(request))


@require_POST
@allowed_to(Action.DOCUMENT_PUBLISH)
def document_publish_view(
    request: HttpRequest, roundtable: Roundtable, organizer: Participant
) -> HttpResponse:
    form = PublishForm(request.POST)
    if not form.is_valid():
        return _review_page(request, roundtable, organizer, form=form, error=_("Check the form."))
    try:
        outcome = document_publish(
            roundtable_id=roundtable.pk,
            participant_id=organizer.pk,
            slug=form.cleaned_data["slug"],
            note=form.cleaned_data["note"],
            organizers=form.cleaned_data["organizers"].splitlines(),
        )
    except ServiceError as error:
        return _review_page(request, roundtable, organizer, form=form, error=error.message)
    messages.success(request, _("Version %(version)s is published.") % {"version": outcome.result["version"]})
    return redirect(
        "deliberation:publication_version", slug=outcome.result["slug"], version=outcome.result["version"]
    )


# Anyone: read and download a published version ------------------------------------------------------


def _publication(slug: str, version: int | None) -> tuple[Publication, list[Publication]]:
    """The version asked for and every version, without their frozen documents (read only when a page
    or file is not kept yet)."""
    versions = list(Publication.objects.filter(slug=slug).order_by("version").defer("document"))
    if not versions:
        raise Http404
    chosen = versions[-1] if version is None else next((p for p in versions if p.version == version), None)
    if chosen is None:
        raise Http404
    return chosen, versions


def _kept_key(publication: Publication, *parts: str) -> str:
    # A version never changes, so what is drawn from it can be kept for good. The publication time is in
    # the key because ids come back in a database that was emptied (tests, a fresh install).
    return ":".join([str(publication.pk), str(publication.published_at.timestamp()), *parts])


def _published_page(chosen: Publication, language: str) -> dict[str, Any]:
    """What a version's page shows in one language: drawn once per process, then kept. Drawing takes
    40-80 ms at full-session size (decoding the frozen JSON, and for a correction diffing two versions),
    and everyone follows the link the moment it is published."""
    key = _kept_key(chosen, "page", language)
    kept = caches["documents"].get(key)
    if kept is None:
        document = Publication.objects.values_list("document", flat=True).get(pk=chosen.pk)
        changes = None
        if chosen.version > 1:
            previous = Publication.objects.values_list("document", flat=True).get(
                slug=chosen.slug, version=chosen.version - 1
            )
            changes = _changes(previous, document, language)
        with translation.override(language):
            kept = {"view": document_view(document, language), "files": _files(document), "changes": changes}
        caches["documents"].set(key, kept)
    return kept


def _changes(previous: dict[str, Any], current: dict[str, Any], language: str) -> list[tuple[str, str]]:
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


@require_GET
def publication(request: HttpRequest, slug: str, version: int | None = None) -> HttpResponse:
    chosen, versions = _publication(slug, version)
    language = _reader_language(request)
    page = _published_page(chosen, language)
    with translation.override(language):
        return _publication_page(request, chosen, versions, page, language)


def _publication_page(request, chosen, versions, page, language) -> HttpResponse:
    view = page["view"]
    context = {
        "view": view,
        "publication": chosen,
        "versions": versions,
        "latest": versions[-1],
        "files": page["files"],
        "changes": page["changes"],
        "language": language,
        "structured": json.dumps(
            {
                "@context": "https://schema.org",
                "@type": "Report",
                "name": view.title,
                "version": chosen.version,
            },
            ensure_ascii=False,
        ),
    }
    response = render(request, "deliberation/publication.html", context)
    response["Content-Language"] = language
    return response


@require_GET
async def publication_file(request: HttpRequest, slug: str, version: int, filename: str) -> HttpResponse:
    """Async: rendering (a PDF takes about 0.3 s, the bundle 0.5 s at full-session size) runs on a
    worker thread of its own, so concurrent readers' downloads render in parallel."""
    chosen, _versions = await sync_to_async(_publication)(slug, version)
    language = _reader_language(request)
    key = _kept_key(chosen, "file", filename, language)
    kept = await caches["documents"].aget(key)
    if kept is None:
        document = await sync_to_async(_frozen_document)(chosen.pk)
        response = await sync_to_async(document_file, thread_sensitive=False)(document, filename, language)
        if len(response.content) <= DOWNLOAD_KEPT_MAX_BYTES:
            await caches["documents"].aset(key, (response.content, dict(response.headers)))
        return response
    body, headers = kept
    return HttpResponse(body, headers=headers)


# Files up to this size are kept once drawn (the PDF, Markdown, CSVs and bundle at full-session size);
# the whole-document JSON (5 MB there) is rendered on each download instead of filling memory.
DOWNLOAD_KEPT_MAX_BYTES = 2 * 1024 * 1024


def _frozen_document(publication_id: int) -> dict[str, Any]:
    return Publication.objects.values_list("document", flat=True).get(pk=publication_id)
