"""Who is asking, for the HTTP pages: resolve /r/<code>/ to its roundtable and the session's seat, and
check the policy table for the pages that need a role."""

import functools
from collections.abc import Callable

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation

from deliberation.models import Participant, Roundtable
from deliberation.policy import Action, policy_allows
from deliberation.selectors import roundtable_get_by_code
from deliberation.sessions import session_participant

RoundtableView = Callable[[HttpRequest, Roundtable, Participant | None], HttpResponse]


def in_roundtable(view: RoundtableView) -> Callable[..., HttpResponse]:
    """Resolve /r/<code>/ to its roundtable (or a helpful 404 page) and to the session's participant."""

    @functools.wraps(view)
    def resolved(request: HttpRequest, code: str, **kwargs) -> HttpResponse:
        roundtable = roundtable_get_by_code(code=code)
        if roundtable is None:
            return render(request, "deliberation/not_found.html", {"code": code}, status=404)
        participant = session_participant(session=request.session, roundtable=roundtable)
        return view(request, roundtable, participant, **kwargs)

    return resolved


def allowed_to(
    action: Action, *, strangers_join: bool = False
) -> Callable[[RoundtableView], Callable[..., HttpResponse]]:
    """A page for the roles the policy table allows `action`: others sign in (or, for participants'
    pages, `strangers_join` the roundtable first), or are told they may not."""

    def decorate(view: RoundtableView) -> Callable[..., HttpResponse]:
        @in_roundtable
        @functools.wraps(view)
        def checked(request: HttpRequest, roundtable: Roundtable, participant: Participant | None, **kwargs):
            if not policy_allows(role=participant.role if participant else None, action=action):
                if participant is None and strangers_join:
                    return redirect("deliberation:roundtable", code=roundtable.code)
                if not request.user.is_authenticated:
                    return redirect_to_login(request.get_full_path())
                return render(request, "deliberation/forbidden.html", {"roundtable": roundtable}, status=403)
            if participant is not None and participant.is_staff:
                # Staff pages follow the account's chosen interface language (cookie / browser).
                request.LANGUAGE_CODE = translation.get_language()
            return view(request, roundtable, participant, **kwargs)

        return checked

    return decorate
