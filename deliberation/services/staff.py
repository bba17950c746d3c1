"""Inviting moderators and organizers by email, and accepting an invitation."""

import datetime
import secrets
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from deliberation.accounts import account_email_verified, account_for_email
from deliberation.emails import email_send
from deliberation.errors import ServiceError
from deliberation.models import Invitation, Participant, Role, Roundtable
from deliberation.policy import Action, policy_require
from deliberation.selectors import token_could_exist
from deliberation.services.audit import organizer_action_record
from deliberation.services.events import event_record, roundtable_lock
from deliberation.services.roundtables import staff_seat_grant

STAFF_NAME_MAX_CHARS = 60


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
    with transaction.atomic():
        invitation = Invitation.objects.create(
            roundtable=roundtable,
            email=address,
            role=role,
            token=secrets.token_urlsafe(32),
            invited_by=inviter,
        )
        organizer_action_record(
            roundtable=roundtable,
            organizer=inviter,
            action="invitation.create",
            audit={"email": address, "role": role},
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


def invitation_expired(*, invitation: Invitation) -> bool:
    """An unused invitation lasts ROUNDTABLE_INVITATION_DAYS: a link forwarded or found in an old mailbox
    months later gives nothing."""
    lifetime = datetime.timedelta(days=settings.ROUNDTABLE_INVITATION_DAYS)
    return invitation.accepted_at is None and timezone.now() > invitation.created_at + lifetime


def invitation_account(*, invitation: Invitation, signed_in: Any) -> Any:
    """The account that accepts: the signed-in one if its owner has proven the invited address;
    otherwise, while the invitation is unused, that address's proven account (made if needed: the emailed
    token proves the address). An account that only typed the address at sign-up never gets the seat.
    None once another account has used it: the invitee must sign in."""
    if invitation_expired(invitation=invitation):
        raise ServiceError("invitation_expired")
    if signed_in is not None and account_email_verified(user=signed_in, email=invitation.email):
        return signed_in
    if invitation.accepted_at is not None:
        return None
    return account_for_email(email=invitation.email)


def staff_name_clean(*, display_name: str) -> str:
    """The public name a staff member typed, spaces tidied; empty means "use my role"."""
    name = " ".join(display_name.split())
    if len(name) > STAFF_NAME_MAX_CHARS:
        raise ServiceError("display_name_too_long", limit=STAFF_NAME_MAX_CHARS)
    return name


def invitation_accept(*, invitation: Invitation, user: Any, display_name: str = "") -> Participant:
    """Give the account the invited seat, under the public name the invitee chose (or a neutral one).
    An invitation is used once, before it expires, by an account that has proven the invited address."""
    name = staff_name_clean(display_name=display_name)
    with transaction.atomic():
        locked = Invitation.objects.select_for_update().filter(pk=invitation.pk).first()
        if locked is None:
            raise ServiceError("invitation_not_found")
        if locked.accepted_at is not None and locked.accepted_by_id != user.pk:
            raise ServiceError("invitation_used")
        if invitation_expired(invitation=locked):
            raise ServiceError("invitation_expired")
        if not account_email_verified(user=user, email=locked.email):
            raise ServiceError("forbidden")
        seat = staff_seat_grant(roundtable=locked.roundtable, user=user, role=locked.role, display_name=name)
        if locked.accepted_at is None:
            locked.accepted_at, locked.accepted_by = timezone.now(), user
            locked.save(update_fields=["accepted_at", "accepted_by"])
    return seat


def invitation_revoke(
    *, roundtable: Roundtable, organizer: Participant | None, invitation_id: int
) -> Invitation:
    """Withdraw an invitation nobody has accepted yet: its link stops working at once. The audit log keeps
    who withdrew which address's invitation."""
    policy_require(participant=organizer, action=Action.STAFF_INVITE)
    with transaction.atomic():
        locked = roundtable_lock(roundtable_id=roundtable.pk)
        invitation = (
            Invitation.objects.select_for_update()
            .filter(pk=invitation_id, roundtable=locked, accepted_at__isnull=True)
            .first()
        )
        if invitation is None:
            raise ServiceError("invitation_not_found")
        invitation.delete()
        event_record(
            roundtable=locked,
            kind="invitation.revoked",
            data={"action": "invitation.revoke"},
            staff={"audit": {"email": invitation.email, "role": invitation.role}},
            actor=organizer,
        )
    return invitation
