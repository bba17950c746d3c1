"""What each screen's script is handed with its page (as JSON, read by frontend/js/dom.js readConfig):
the roundtable's code and socket, the reader's language, names of actor types in it, and the screen's
own strings and extras."""

from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from deliberation.analysis.breakdowns import OTHER
from deliberation.models import Roundtable
from deliberation.texts import text_in_language


def other_actor_types(language: str) -> str:
    with translation.override(language):
        return _("Other actor types")


def client_config(
    *,
    roundtable: Roundtable,
    language: str,
    strings: dict[str, str | list[str]],
    with_questions: bool = False,
    socket_query: str = "",
    **extra: Any,
) -> dict[str, Any]:
    config: dict[str, Any] = {
        "code": roundtable.code,
        "socketPath": f"/ws/r/{roundtable.code}/{socket_query}",
        "language": language,
        # Times of day (the run of show's plan) are read in the roundtable's zone, as its programme says.
        "timeZone": roundtable.time_zone,
        "actorTypes": {
            **{a["key"]: text_in_language(a, language).text for a in roundtable.actor_types},
            # Public breakdowns count actor types with too few people together under this key.
            OTHER: other_actor_types(language),
        },
        "strings": strings,
        # How long a command may wait for its answer once it has reached the server (not while offline).
        "commandTimeoutSeconds": settings.ROUNDTABLE_CLIENT_COMMAND_TIMEOUT_SECONDS,
        # Proposals can be machine-translated into the reader's language (a server is configured).
        "translation": bool(settings.ROUNDTABLE_TRANSLATE_URL) and language in roundtable.languages,
        **extra,
    }
    if with_questions:
        # Screens whose question texts are not in the page's HTML (the console, the projector).
        config["questionTexts"] = {}
        for question in roundtable.questions.order_by("order"):
            text = text_in_language(question.text, language, roundtable.languages)
            config["questionTexts"][str(question.pk)] = {
                "order": question.order,
                "text": text.text,
                "language": text.language,
            }
    return config
