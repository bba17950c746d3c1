"""/dev/outbox/: every email the development backend kept, newest first, links clickable. Only while the
development backend is in use, and only for staff (Django staff, or an organizer of a roundtable): a 404
for everyone else, so the page does not exist as far as they can tell."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from deliberation.models import Participant, Role
from roundtable.outbox import outbox_dir, outbox_in_use, outbox_messages


def _may_read(request: HttpRequest) -> bool:
    user = request.user
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_staff or Participant.objects.filter(user=user, role=Role.ORGANIZER).exists()


@require_GET
@never_cache
def outbox(request: HttpRequest) -> HttpResponse:
    if not outbox_in_use() or not _may_read(request):
        raise Http404
    return render(
        request,
        "roundtable/outbox.html",
        {"messages_sent": outbox_messages(), "directory": outbox_dir()},
    )
