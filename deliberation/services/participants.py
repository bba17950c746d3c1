from django.db import transaction

from deliberation.errors import ServiceError
from deliberation.models import Participant, Registrant, Role, Roundtable
from deliberation.selectors import participant_counts
from deliberation.services.commands import text_clean
from deliberation.services.events import event_record, roundtable_lock

DISPLAY_NAME_MAX_CHARS = 60


def participant_join(
    *,
    roundtable: Roundtable,
    display_name: str,
    actor_type: str,
    language: str,
    role: str = Role.PARTICIPANT,
    registrant: Registrant | None = None,
) -> Participant:
    """Take a seat. On a roundtable that requires registration, only with a registrant's personal link;
    a registrant who already has a seat gets that same seat back (the same person on another device)."""
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
    with transaction.atomic():
        locked = roundtable_lock(roundtable_id=roundtable.pk)
        if registrant is not None:
            # Read again under the roundtable lock, so one link never makes two seats.
            seated = Registrant.objects.filter(pk=registrant.pk).values_list("participant", flat=True).get()
            if seated is not None:
                return Participant.objects.get(pk=seated)
        if role == Role.PARTICIPANT and (
            locked.participants.filter(role=Role.PARTICIPANT).count() >= locked.capacity
        ):
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
