"""HTTP: the pages and the join flow. Writes go through services; reads through selectors."""

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from deliberation.access import in_roundtable
from deliberation.client_config import client_config
from deliberation.client_strings import client_strings
from deliberation.errors import ServiceError
from deliberation.forms import JoinCodeForm, LinkRequestForm
from deliberation.models import Participant, Registrant, Roundtable
from deliberation.selectors import roundtable_get_by_code
from deliberation.services.participants import participant_join, participant_language_set
from deliberation.services.registration import registrant_by_token, registrant_link_request
from deliberation.sessions import session_participant_remember
from deliberation.texts import language_choices, text_in_language


def _to_roundtable(roundtable: Roundtable, *, language: str) -> HttpResponse:
    return _with_language_cookie(redirect("deliberation:roundtable", code=roundtable.code), language)


def _with_language_cookie(response: HttpResponse, language: str) -> HttpResponse:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.SESSION_COOKIE_AGE,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )
    return response


@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    """For load balancers and container health checks: the database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")


@require_http_methods(["GET", "POST"])
def home(request: HttpRequest) -> HttpResponse:
    error = None
    typed = ""
    if request.method == "POST":
        form = JoinCodeForm(request.POST)
        found = roundtable_get_by_code(code=form.cleaned_data["code"]) if form.is_valid() else None
        if found is not None:
            return redirect("deliberation:roundtable", code=found.code)
        error = _("No roundtable has this code. Check it and try again.")
        # What was typed stays in the field, to be corrected rather than typed again.
        typed = request.POST.get("code", "")[:64]
    context = {"error": error, "typed": typed, "languages": language_choices()}
    return render(request, "deliberation/home.html", context, status=400 if error else 200)


def _join_form(
    request: HttpRequest,
    roundtable: Roundtable,
    *,
    error: str | None = None,
    values=None,
    registrant: Registrant | None = None,
    status: int | None = None,
    current: Participant | None = None,
):
    if roundtable.registration_required and registrant is None:
        return _registered_only(request, roundtable, error=error)
    language = translation.get_language()
    if values is None and registrant is not None:
        values = {"display_name": registrant.display_name, "actor_type": registrant.actor_type}
    values = values or {}
    values.setdefault("language", language if language in roundtable.languages else "")
    actor_types = [
        {"key": actor_type["key"], "label": text_in_language(actor_type, language).text}
        for actor_type in roundtable.actor_types
    ]
    context = {
        "roundtable": roundtable,
        "title": text_in_language(roundtable.title, language, roundtable.languages),
        "actor_types": actor_types,
        "languages": language_choices(roundtable.languages),
        "error": error,
        "values": values,
        "registrant": registrant,
        "current": current,
    }
    return render(request, "deliberation/join.html", context, status=status or (400 if error else 200))


def _registered_only(
    request: HttpRequest, roundtable: Roundtable, *, error=None, form=None, sent=False, status=None
):
    """A roundtable for registered people: the way in is the personal link; this page resends it."""
    language = translation.get_language()
    context = {
        "roundtable": roundtable,
        "title": text_in_language(roundtable.title, language, roundtable.languages),
        "form": form or LinkRequestForm(),
        "error": error,
        "sent": sent,
        "languages": language_choices(roundtable.languages),
    }
    if status is None:
        status = 400 if error or (form is not None and form.errors) else 200
    return render(request, "deliberation/registered_only.html", context, status=status)


@require_GET
@in_roundtable
def roundtable_page(
    request: HttpRequest, roundtable: Roundtable, participant: Participant | None
) -> HttpResponse:
    if participant is None:
        return _join_form(request, roundtable)
    if participant.is_staff:
        return redirect("deliberation:moderate", code=roundtable.code)
    translation.activate(participant.language)
    request.LANGUAGE_CODE = participant.language
    language = participant.language
    questions = [
        {"question": question, "text": text_in_language(question.text, language, roundtable.languages)}
        for question in roundtable.questions.order_by("order")
    ]
    context = {
        "roundtable": roundtable,
        "participant": participant,
        "title": text_in_language(roundtable.title, language, roundtable.languages),
        "event_name": text_in_language(roundtable.event_name, language, roundtable.languages),
        "questions": questions,
        "languages": language_choices(roundtable.languages),
        "actor_type": text_in_language(
            next((a for a in roundtable.actor_types if a["key"] == participant.actor_type), {}), language
        ),
        "client_config": client_config(
            roundtable=roundtable,
            language=language,
            strings=client_strings(),
            proposalMaxChars=settings.ROUNDTABLE_PROPOSAL_MAX_CHARS,
        ),
    }
    return _with_language_cookie(render(request, "deliberation/participant.html", context), language)


@require_POST
@in_roundtable
def roundtable_join(
    request: HttpRequest, roundtable: Roundtable, existing: Participant | None
) -> HttpResponse:
    token = request.POST.get("token", "")
    if existing is not None and not token:
        # The same browser joining again gets the seat it holds, never a second one.
        return redirect("deliberation:roundtable", code=roundtable.code)
    values = {key: request.POST.get(key, "") for key in ("display_name", "actor_type", "language")}
    registrant = registrant_by_token(roundtable=roundtable, token=token) if token else None
    if values["language"] in roundtable.languages:
        translation.activate(values["language"])
    if token and registrant is None:
        return _registered_only(request, roundtable, error=ServiceError("registration_invalid").message)
    if existing is not None and registrant.participant_id == existing.pk:
        return redirect("deliberation:roundtable", code=roundtable.code)
    # With a personal link, this POST from its join form (which said so) moves the browser to that seat.
    if request.session.session_key is None:
        # Give the browser its session now, so its very first seat counts against its own limit too.
        request.session.save()
    try:
        participant = participant_join(
            roundtable=roundtable,
            registrant=registrant,
            address=request.META.get("REMOTE_ADDR", ""),
            session_key=request.session.session_key,
            **values,
        )
    except ServiceError as error:
        status = 429 if error.code == "joins_too_many" else 400
        return _join_form(
            request, roundtable, error=error.message, values=values, registrant=registrant, status=status
        )
    session_participant_remember(session=request.session, participant=participant)
    return _to_roundtable(roundtable, language=participant.language)


@require_POST
@in_roundtable
def participant_language(
    request: HttpRequest, roundtable: Roundtable, participant: Participant | None
) -> HttpResponse:
    language = request.POST.get("language", "")
    if language not in roundtable.languages:
        return redirect("deliberation:roundtable", code=roundtable.code)
    if participant is not None:
        participant_language_set(participant=participant, language=language)
    return _to_roundtable(roundtable, language=language)


@require_http_methods(["GET", "POST"])
@in_roundtable
def personal_link(
    request: HttpRequest, roundtable: Roundtable, participant: Participant | None, token: str
) -> HttpResponse:
    """A registered person's own way in: the join form the first time, their seat after that (on any
    device: the link is theirs). Opening the link (a GET) never changes which seat this browser holds:
    a link someone else sent could otherwise swap it silently; taking the seat is a POST from the page
    that asks."""
    registrant = registrant_by_token(roundtable=roundtable, token=token)
    if registrant is None:
        error = ServiceError("registration_invalid").message
        return _registered_only(request, roundtable, error=error, status=404)
    seat = registrant.participant
    if seat is None:
        return _join_form(request, roundtable, registrant=registrant, current=participant)
    if participant is not None and participant.pk == seat.pk:
        return _to_roundtable(roundtable, language=seat.language)
    if request.method == "POST":
        session_participant_remember(session=request.session, participant=seat)
        return _to_roundtable(roundtable, language=seat.language)
    language = translation.get_language()
    context = {
        "roundtable": roundtable,
        "title": text_in_language(roundtable.title, language, roundtable.languages),
        "seat": seat,
        "current": participant,
        "languages": language_choices(roundtable.languages),
    }
    return render(request, "deliberation/personal_link.html", context)


@require_POST
@in_roundtable
def personal_link_request(
    request: HttpRequest, roundtable: Roundtable, participant: Participant | None
) -> HttpResponse:
    form = LinkRequestForm(request.POST)
    if not form.is_valid():
        return _registered_only(request, roundtable, form=form)
    try:
        registrant_link_request(
            roundtable=roundtable,
            email=form.cleaned_data["email"],
            address=request.META.get("REMOTE_ADDR", ""),
            link=lambda token: personal_link_url(request, roundtable, token),
        )
    except ServiceError as error:
        status = 429 if error.code == "link_requests_too_many" else 400
        return _registered_only(request, roundtable, form=form, error=error.message, status=status)
    return _registered_only(request, roundtable, sent=True)


def personal_link_url(request: HttpRequest, roundtable: Roundtable, token: str) -> str:
    return request.build_absolute_uri(reverse("deliberation:personal_link", args=[roundtable.code, token]))
