"""Organizers' actions that change nothing anyone watches live (the registration list, personal links,
invitations, settings, the registration rule, creating the roundtable) are recorded as Events all the
same, so the audit log is the record of every organizer and moderator action. Each service calls this
itself, in its own transaction: no signal records anything behind its back."""

from typing import Any

from django.db import transaction

from deliberation.models import Event, Participant, Roundtable
from deliberation.services.events import event_record, roundtable_lock

# The kind of Event each organizer action is recorded as; the public layer carries the action code only
# (no one is named there), the staff layer carries what the audit log shows.
ORGANIZER_ACTIONS = {
    "roundtable.create": "roundtable.created",
    "roundtable.settings": "roundtable.configured",
    "registration.rule": "registration.updated",
    "registrant.add": "registration.updated",
    "registrants.upload": "registration.updated",
    "links.send": "registration.updated",
    "invitation.create": "invitation.created",
}


def organizer_action_record(
    *, roundtable: Roundtable, organizer: Participant | None, action: str, audit: dict[str, Any]
) -> Event:
    """Append the audit entry of an organizer's action, under the roundtable's lock (seqs stay gapless).
    Inside a caller's transaction it is part of that transaction: the action and its record go together."""
    with transaction.atomic():
        locked = roundtable_lock(roundtable_id=roundtable.pk)
        return event_record(
            roundtable=locked,
            kind=ORGANIZER_ACTIONS[action],
            data={"action": action},
            staff={"audit": audit},
            actor=organizer,
        )
