"""The moderator console and the projector screen: pages that carry their starting configuration; the
live state comes over the websocket like everyone's."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.views.decorators.http import require_GET

from deliberation.access import allowed_to, in_roundtable
from deliberation.client_config import client_config
from deliberation.client_strings import console_strings, screen_strings
from deliberation.models import Participant, Roundtable, RunOfShow
from deliberation.organizer_views import join_qr_svg
from deliberation.policy import Action, policy_allows
from deliberation.services.run_of_show import run_of_show_suggestion
from deliberation.texts import language_choices, text_in_language


@require_GET
@allowed_to(Action.MODERATION_CONSOLE)
def moderate(request: HttpRequest, roundtable: Roundtable, moderator: Participant) -> HttpResponse:
    language = translation.get_language()
    context = {
        "roundtable": roundtable,
        "moderator": moderator,
        "title": text_in_language(roundtable.title, language, roundtable.languages),
        "questions": roundtable.questions.order_by("order"),
        "can_organize": policy_allows(role=moderator.role, action=Action.STAFF_INVITE),
        "languages": language_choices(roundtable.languages),
        "actor_type_choices": [
            (item["key"], text_in_language(item, language, roundtable.languages).text)
            for item in roundtable.actor_types
        ],
        "client_config": client_config(
            roundtable=roundtable,
            language=language,
            strings=console_strings(),
            with_questions=True,
            proposalMaxChars=settings.ROUNDTABLE_PROPOSAL_MAX_CHARS,
            draftMaxChars=settings.ROUNDTABLE_DRAFT_MAX_CHARS,
            me=moderator.display_name,
            # No plan saved yet: the console shows the suggested one, which "Start the session" saves
            # and runs (services/run_of_show.py run_of_show_start).
            runOfShowSuggestion=None
            if RunOfShow.objects.filter(roundtable=roundtable).exists()
            else run_of_show_suggestion(roundtable=roundtable),
        ),
    }
    return render(request, "deliberation/moderate.html", context)


@require_GET
@in_roundtable
def screen(request: HttpRequest, roundtable: Roundtable, viewer: Participant | None) -> HttpResponse:
    """Read-only and public (it shows what the room sees): the link can go on any projector."""
    language = request.GET.get("lang") or translation.get_language()
    if language not in roundtable.languages:
        language = roundtable.languages[0]
    translation.activate(language)
    request.LANGUAGE_CODE = language
    join_url = request.build_absolute_uri(reverse("deliberation:roundtable", args=[roundtable.code]))
    context = {
        "roundtable": roundtable,
        "title": text_in_language(roundtable.title, language, roundtable.languages),
        "join_url": join_url,
        "join_host": join_url.split("//", 1)[-1].split("/", 1)[0],
        "qr": join_qr_svg(join_url, title=join_url, scale=5, scalable=True),
        "screen_languages": language_choices(roundtable.languages),
        # The public view, whoever's browser shows it (an organizer's, signed in, sharing their screen).
        "client_config": client_config(
            roundtable=roundtable,
            language=language,
            strings=screen_strings(),
            with_questions=True,
            socket_query="?view=public",
        ),
    }
    return render(request, "deliberation/screen.html", context)
