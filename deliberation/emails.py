"""Emails to people who may read any of the roundtable's languages: one message, each language's text
in turn (the roundtable's own order), since we do not know a person's language before they join."""

from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation

from deliberation.models import Roundtable
from deliberation.texts import text_in_language

SEPARATOR = "\n\n――――――――――\n\n"


def email_send(*, template: str, to: str, roundtable: Roundtable, context: dict[str, Any]) -> None:
    subjects, bodies = [], []
    for language in roundtable.languages:
        with translation.override(language):
            full = {
                **context,
                "roundtable": roundtable,
                "title": text_in_language(roundtable.title, language, roundtable.languages),
            }
            subjects.append(render_to_string(f"deliberation/emails/{template}_subject.txt", full).strip())
            bodies.append(render_to_string(f"deliberation/emails/{template}.txt", full).strip())
    send_mail(
        subject=" / ".join(dict.fromkeys(subjects)),
        message=SEPARATOR.join(bodies) + "\n",
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[to],
    )
