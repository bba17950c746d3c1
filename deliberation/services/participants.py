from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from deliberation.errors import ServiceError
from deliberation.models import Participant, Registrant, Role, Roundtable
from deliberation.selectors import participant_counts
from deliberation.services.commands import text_clean
from deliberation.services.events import event_record, roundtable_lock
from deliberation.throttles import throttle_hit

DISPLAY_NAME_MAX_CHARS = 60


def participant_join(
    *,
    roundtable: Roundtable,
    display_name: str,
    actor_type: str,
    language: str,
    role: str = Role.PARTICIPANT,
    registrant: Registrant | None = None,
    address: str | None = None,
    session_key: str | None = None,
) -> Participant:
    """Take a seat. On a roundtable that requires registration, only with a registrant's personal link;
    a registrant who already has a seat gets that same seat back (the same person on another device).
    A join through the open form (from client `address`, browser session `session_key`) is counted
    against ROUNDTABLE_JOINS_PER_ADDRESS and ROUNDTABLE_JOINS_PER_SESSION once it is valid."""
    if registrant is not None and registrant.participant_id is not None:
        return registrant.participant
    if roundtable.registration_required and role == Role.PARTICIPANT and registrant is None:
        raise ServiceError("not_registered")
    try:
        name = text_clean(text=display_name, max_chars=DISPLAY_NAME_MAX_CHARS)
    except ServiceError as error:
        raise ServiceError("display_name_invalid") from error
    if actor_type not in roundtable.actor_type_keys:
        raise ServiceError("actor_type_invalid")
    if language not in roundtable.languages:
        raise ServiceError("language_invalid")
    if registrant is None and role == Role.PARTICIPANT and address is not None:
        _join_admit(roundtable=roundtable, address=address, session_key=session_key)
    with transaction.atomic():
        locked = roundtable_lock(roundtable_id=roundtable.pk)
        if registrant is not None:
            # Read again under the roundtable lock, so one link never makes two seats.
            seated = Registrant.objects.filter(pk=registrant.pk).values_list("participant", flat=True).get()
            if seated is not None:
                return Participant.objects.get(pk=seated)
        if role == Role.PARTICIPANT:
            _seats_never_connected(roundtable=locked).delete()
            if locked.participants.filter(role=Role.PARTICIPANT).count() >= locked.capacity:
                raise ServiceError("roundtable_full")
        participant = Participant.objects.create(
            roundtable=locked, display_name=name, actor_type=actor_type, language=language, role=role
        )
        if registrant is not None:
            Registrant.objects.filter(pk=registrant.pk).update(participant=participant)
        event_record(
            roundtable=locked,
            kind="participant.joined",
            data={"participants": participant_counts(roundtable=locked)},
            actor=participant,
        )
    return participant


def participant_language_set(*, participant: Participant, language: str) -> Participant:
    """Only the person's own screens depend on it, so no event: their pages reload in the new language."""
    if language not in participant.roundtable.languages:
        raise ServiceError("language_invalid")
    participant.language = language
    participant.save(update_fields=["language"])
    return participant


def _join_admit(*, roundtable: Roundtable, address: str, session_key: str | None) -> None:
    """Count one seat taken through the open form, per client address and per browser session; raise
    past either limit, so a script cannot fill the room. (A session that holds a seat gets that seat
    back without joining again: views.roundtable_join.)"""
    attempts = [("join-address", f"{roundtable.pk}:{address}", settings.ROUNDTABLE_JOINS_PER_ADDRESS)]
    if session_key:
        attempts.append(("join-session", session_key, settings.ROUNDTABLE_JOINS_PER_SESSION))
    waits = [
        throttle_hit(scope=scope, key=key, limit=limit, seconds=seconds)
        for scope, key, (limit, seconds) in attempts
    ]
    if any(waits):
        raise ServiceError("joins_too_many", seconds=max(wait for wait in waits if wait))


def participant_connected(*, participant: Participant | None) -> None:
    """A socket opened for this seat (if any): from now on it is someone in the room, not a seat that
    was only taken. Bookkeeping nobody sees, so no event."""
    if participant is not None and participant.connected_at is None and participant.role == Role.PARTICIPANT:
        Participant.objects.filter(pk=participant.pk, connected_at=None).update(connected_at=timezone.now())


def _seats_never_connected(*, roundtable: Roundtable) -> QuerySet[Participant]:
    """Participants' seats taken longer than ROUNDTABLE_SEAT_CONNECT_SECONDS ago that never opened a
    socket: they hold nothing (every action goes through the socket), so they are given back."""
    since = timezone.now() - timedelta(seconds=settings.ROUNDTABLE_SEAT_CONNECT_SECONDS)
    return roundtable.participants.filter(role=Role.PARTICIPANT, connected_at=None, joined_at__lt=since)
