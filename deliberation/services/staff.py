"""Inviting moderators and organizers by email, and accepting an invitation."""

import secrets
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from deliberation.accounts import account_for_email
from deliberation.emails import email_send
from deliberation.errors import ServiceError
from deliberation.models import Invitation, Participant, Role, Roundtable
from deliberation.policy import Action, policy_require
from deliberation.selectors import token_could_exist
from deliberation.services.roundtables import staff_seat_grant


def email_clean(email: str) -> str:
    cleaned = (email or "").strip().lower()
    try:
        validate_email(cleaned)
    except ValidationError as error:
        raise ServiceError("email_invalid") from error
    return cleaned


def staff_invite(*, roundtable: Roundtable, inviter: Participant | None, email: str, role: str, link: Any):
    """Invite `email` to moderate (or co-organize) and send them their link. `link(token)` makes the
    absolute URL of the invitation page."""
    policy_require(participant=inviter, action=Action.STAFF_INVITE)
    if role not in {Role.MODERATOR, Role.ORGANIZER}:
        raise ServiceError("forbidden")
    address = email_clean(email)
    invitation = Invitation.objects.create(
        roundtable=roundtable,
        email=address,
        role=role,
        token=secrets.token_urlsafe(32),
        invited_by=inviter,
    )
    email_send(
        template="staff_invitation",
        to=address,
        roundtable=roundtable,
        context={"role": role, "inviter": inviter.display_name, "link": link(invitation.token)},
    )
    return invitation


def invitation_get(*, token: str) -> Invitation | None:
    if not token_could_exist(token):
        return None
    return Invitation.objects.select_related("roundtable").filter(token=token).first()


def invitation_account(*, invitation: Invitation, signed_in: Any) -> Any:
    """The account that accepts: the signed-in one if it is the invited address; otherwise, while the
    invitation is unused, that address's own account (made if needed: the emailed token proves the
    address). None once another account has used it: the invitee must sign in."""
    if signed_in is not None and signed_in.email.lower() == invitation.email:
        return signed_in
    if invitation.accepted_at is not None:
        return None
    return account_for_email(email=invitation.email)


def invitation_accept(*, invitation: Invitation, user: Any) -> Participant:
    """Give the account the invited seat. An invitation is used once."""
    with transaction.atomic():
        locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if locked.accepted_at is not None and locked.accepted_by_id != user.pk:
            raise ServiceError("invitation_used")
        seat = staff_seat_grant(roundtable=locked.roundtable, user=user, role=locked.role)
        if locked.accepted_at is None:
            locked.accepted_at, locked.accepted_by = timezone.now(), user
            locked.save(update_fields=["accepted_at", "accepted_by"])
    return seat
