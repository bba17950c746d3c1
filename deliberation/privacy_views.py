"""A participant's own data: see what is kept, download it, be anonymised or erased."""

import json

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from deliberation.access import allowed_to
from deliberation.models import Participant, Roundtable
from deliberation.policy import Action
from deliberation.selectors import participant_contributions
from deliberation.services.privacy import participant_anonymise, participant_erase
from deliberation.sessions import session_participant_forget
from deliberation.texts import text_in_language


def _in_their_language(request: HttpRequest, participant: Participant) -> None:
    translation.activate(participant.language)
    request.LANGUAGE_CODE = participant.language


@require_GET
@allowed_to(Action.OWN_DATA, strangers_join=True)
def privacy(request: HttpRequest, roundtable: Roundtable, participant: Participant) -> HttpResponse:
    _in_their_language(request, participant)
    data = participant_contributions(participant=participant)
    context = {
        "roundtable": roundtable,
        "title": text_in_language(roundtable.title, participant.language, roundtable.languages),
        "participant": participant,
        "counts": {key: len(data[key]) for key in ("proposals", "votes", "reports", "room_checks")},
    }
    return render(request, "deliberation/privacy.html", context)


@require_GET
@allowed_to(Action.OWN_DATA, strangers_join=True)
def own_data(request: HttpRequest, roundtable: Roundtable, participant: Participant) -> HttpResponse:
    body = json.dumps(participant_contributions(participant=participant), ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="my-contributions-{roundtable.code}.json"'
    return response


@require_POST
@allowed_to(Action.OWN_DATA, strangers_join=True)
def anonymise(request: HttpRequest, roundtable: Roundtable, participant: Participant) -> HttpResponse:
    _in_their_language(request, participant)
    if request.POST.get("confirm") != "yes":
        return redirect("deliberation:privacy", code=roundtable.code)
    participant_anonymise(roundtable_id=roundtable.pk, participant_id=participant.pk)
    messages.success(request, _("Your name is gone from everything you wrote and from the record."))
    return redirect("deliberation:privacy", code=roundtable.code)


@require_POST
@allowed_to(Action.OWN_DATA, strangers_join=True)
def erase(request: HttpRequest, roundtable: Roundtable, participant: Participant) -> HttpResponse:
    _in_their_language(request, participant)
    if request.POST.get("confirm") != "yes":
        return redirect("deliberation:privacy", code=roundtable.code)
    participant_erase(roundtable_id=roundtable.pk, participant_id=participant.pk)
    session_participant_forget(session=request.session, roundtable=roundtable)
    messages.success(
        request, _("Your proposals, votes and reports were deleted, and you left the roundtable.")
    )
    return redirect("deliberation:home")
