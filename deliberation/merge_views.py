"""The merge preview for the console's merge dialog: what a merge would do, before it is confirmed.

GET /r/<code>/moderate/merge-preview/?proposal=<id>&into=<id> (staff who may merge; JSON). See
docs/protocol.md, "Merge preview"."""

from django.http import HttpRequest, JsonResponse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from deliberation.access import in_roundtable
from deliberation.errors import ServiceError
from deliberation.models import Participant, Roundtable
from deliberation.policy import Action, policy_allows
from deliberation.selectors import merge_preview


def _error(code: str, status: int) -> JsonResponse:
    return JsonResponse({"error": {"code": code, "message": ServiceError(code).message}}, status=status)


def preview_sentences(preview: dict) -> dict[str, str]:
    """What the dialog says, in the reader's language (counts need plural forms)."""
    merged, survivor = preview["merged"]["id"], preview["survivor"]["id"]
    moved, dropped = preview["votes_moved"], preview["votes_dropped"]
    differing = preview["votes_dropped_differing"]
    sentences = {
        "moved": ngettext(
            "%(count)s vote moves from #%(merged)s to #%(survivor)s.",
            "%(count)s votes move from #%(merged)s to #%(survivor)s.",
            moved,
        )
        % {"count": moved, "merged": merged, "survivor": survivor},
        "dropped": ngettext(
            "%(count)s person voted on both: their vote on #%(survivor)s stands and their vote on"
            " #%(merged)s is dropped.",
            "%(count)s people voted on both: their votes on #%(survivor)s stand and their votes on"
            " #%(merged)s are dropped.",
            dropped,
        )
        % {"count": dropped, "merged": merged, "survivor": survivor},
        "rule": _(
            "Nobody counts twice: whoever voted on both proposals keeps the vote on the one that stays."
        ),
    }
    if differing:
        sentences["differing"] = ngettext(
            "%(count)s of them voted differently on #%(merged)s: that vote is lost.",
            "%(count)s of them voted differently on #%(merged)s: those votes are lost.",
            differing,
        ) % {"count": differing, "merged": merged}
    return sentences


@require_GET
@never_cache
@in_roundtable
def merge_preview_view(request: HttpRequest, roundtable: Roundtable, participant: Participant | None):
    if participant is None or not policy_allows(role=participant.role, action=Action.PROPOSAL_MERGE):
        return _error("forbidden", 403)
    request.LANGUAGE_CODE = translation.get_language()
    try:
        proposal_id, into_id = int(request.GET["proposal"]), int(request.GET["into"])
    except (KeyError, ValueError):
        return _error("merge_invalid", 400)
    if not (0 < proposal_id < 2**62 and 0 < into_id < 2**62):
        return _error("merge_invalid", 400)
    try:
        preview = merge_preview(roundtable=roundtable, proposal_id=proposal_id, into_id=into_id)
    except ServiceError as error:
        status = 404 if error.code == "proposal_not_found" else 409
        return _error(error.code, status)
    return JsonResponse({**preview, "sentences": preview_sentences(preview)})
