"""The proposal document's pages: staff review the draft (organizers publish it), and anyone reads a
published version at /p/<slug>/ and downloads it. A published page renders the frozen document only."""

import json

from asgiref.sync import sync_to_async
from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from deliberation.access import allowed_to
from deliberation.document.build import document_build
from deliberation.document.files import document_file_render, question_csv_names
from deliberation.document.published import publication_file_render, publication_find, publication_page
from deliberation.document.view import document_view
from deliberation.errors import ServiceError
from deliberation.forms import PublishForm
from deliberation.models import Participant, Publication, Role, Roundtable
from deliberation.policy import Action, policy_allows
from deliberation.selectors import publication_gaps
from deliberation.services.publications import citations_unresolved, document_publish
from deliberation.texts import text_in_language


def _reader_language(request: HttpRequest) -> str:
    """?lang= when a link asks for one (a download in a given language), else the reader's own."""
    asked = request.GET.get("lang", "")
    supported = {code for code, _name in settings.LANGUAGES}
    return asked if asked in supported else translation.get_language()


def _download(rendered: tuple[bytes, str], name: str, language: str) -> HttpResponse:
    body, kind = rendered
    response = HttpResponse(body, content_type=kind)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Content-Language"] = language
    return response


def _files(csv_names: list[tuple[int, str, str]]) -> list[tuple[str, str]]:
    """The downloads of a document (draft or version), labelled in the reader's language."""
    files = [
        ("document.pdf", _("PDF")),
        ("document.md", _("Markdown")),
        ("document.json", _("JSON (the whole structured document)")),
        ("bundle.zip", _("Re-analysis bundle (data and algorithm settings)")),
    ]
    for order, comments, votes in csv_names:
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
    confirm: bool = False,
) -> HttpResponse:
    document = document_build(roundtable=roundtable)
    language = translation.get_language()
    published = list(Publication.objects.filter(roundtable=roundtable).order_by("-version"))
    context = {
        "roundtable": roundtable,
        "title": text_in_language(roundtable.title, language, roundtable.languages),
        "view": document_view(document, language),
        "files": _files(question_csv_names(document)),
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
        "gaps": publication_gaps(roundtable=roundtable, language=language),
        "next_version": (published[0].version + 1) if published else 1,
        "confirm": confirm,
        "error": error,
    }
    return render(request, "deliberation/document_review.html", context, status=400 if error else 200)


@require_GET
@allowed_to(Action.DOCUMENT_REVIEW)
def document_draft_file(
    request: HttpRequest, roundtable: Roundtable, staff: Participant, filename: str
) -> HttpResponse:
    language = _reader_language(request)
    with translation.override(language):
        rendered = document_file_render(document_build(roundtable=roundtable), filename, language)
    if rendered is None:
        raise Http404
    return _download(rendered, f"{slugify(roundtable.code)}-draft-{filename}", language)


@require_POST
@allowed_to(Action.DOCUMENT_PUBLISH)
def document_publish_view(
    request: HttpRequest, roundtable: Roundtable, organizer: Participant
) -> HttpResponse:
    form = PublishForm(request.POST)
    if not form.is_valid():
        return _review_page(request, roundtable, organizer, form=form, error=_("Check the form."))
    if request.POST.get("confirmed") != "yes":
        # Publishing cannot be undone (a version is permanent): first what is missing, then a second,
        # deliberate click.
        return _review_page(request, roundtable, organizer, form=form, confirm=True)
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
    found = publication_find(slug=slug, version=version)
    if found is None:
        raise Http404
    return found


@require_GET
def publication(request: HttpRequest, slug: str, version: int | None = None) -> HttpResponse:
    chosen, versions = _publication(slug, version)
    language = _reader_language(request)
    page = publication_page(publication=chosen, language=language)
    with translation.override(language):
        return _publication_page(request, chosen, versions, page, language)


def _publication_page(request, chosen, versions, page, language) -> HttpResponse:
    view = page["view"]
    context = {
        "view": view,
        "publication": chosen,
        "versions": versions,
        "latest": versions[-1],
        "files": _files(page["csv_names"]),
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
    chosen, _versions = await sync_to_async(_publication)(slug, version)
    language = _reader_language(request)
    rendered = await publication_file_render(publication=chosen, filename=filename, language=language)
    if rendered is None:
        raise Http404
    return _download(rendered, f"{chosen.slug}-v{chosen.version}-{filename}", language)
