"""The registration list of a roundtable that requires it: adding people one by one or from a CSV
file, sending each their personal link, and sending it again to someone who lost it."""

import csv
import io
import math
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from deliberation.emails import email_send
from deliberation.errors import ServiceError
from deliberation.models import Participant, Registrant, Roundtable
from deliberation.policy import Action, policy_require
from deliberation.selectors import token_could_exist
from deliberation.services.staff import email_clean
from deliberation.throttles import throttle_hit

CSV_MAX_BYTES = 1_000_000


@dataclass
class ImportReport:
    added: int = 0
    already: int = 0
    # (line number, the error's code) for every line left out.
    rejected: list[tuple[int, str]] = field(default_factory=list)


def registrant_add(
    *,
    roundtable: Roundtable,
    organizer: Participant | None,
    email: str,
    display_name: str = "",
    actor_type: str = "",
) -> tuple[Registrant, bool]:
    """Put a person on the list (or leave them as they are if already on it). Returns (registrant, added)."""
    policy_require(participant=organizer, action=Action.REGISTRATION_MANAGE)
    address = email_clean(email)
    if actor_type and actor_type not in roundtable.actor_type_keys:
        raise ServiceError("actor_type_invalid")
    registrant, added = Registrant.objects.get_or_create(
        roundtable=roundtable,
        email=address,
        defaults={
            "display_name": display_name.strip()[:60],
            "actor_type": actor_type,
            "token": secrets.token_urlsafe(24),
        },
    )
    return registrant, added


def registrants_import(*, roundtable: Roundtable, organizer: Participant | None, data: bytes) -> ImportReport:
    """Read a CSV list: an `email` column (or the first column), optionally `name` and `actor_type`.
    A header row is recognised by an `email` cell. Lines with errors are reported, the rest added."""
    policy_require(participant=organizer, action=Action.REGISTRATION_MANAGE)
    if len(data) > CSV_MAX_BYTES:
        raise ServiceError("csv_too_large")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ServiceError("csv_unreadable") from error
    try:
        rows = list(csv.reader(io.StringIO(text), csv.Sniffer().sniff(text[:2048], ",;\t")))
    except csv.Error:
        rows = list(csv.reader(io.StringIO(text)))
    report = ImportReport()
    columns = {"email": 0, "name": 1, "actor_type": 2}
    if rows and any(cell.strip().lower() == "email" for cell in rows[0]):
        header = [cell.strip().lower() for cell in rows[0]]
        columns = {name: header.index(name) for name in ("email", "name", "actor_type") if name in header}
        rows_numbered = list(enumerate(rows[1:], start=2))
    else:
        rows_numbered = list(enumerate(rows, start=1))

    def cell(row: list[str], name: str) -> str:
        index = columns.get(name)
        return row[index].strip() if index is not None and index < len(row) else ""

    with transaction.atomic():
        for number, row in rows_numbered:
            if not any(value.strip() for value in row):
                continue
            try:
                _, added = registrant_add(
                    roundtable=roundtable,
                    organizer=organizer,
                    email=cell(row, "email"),
                    display_name=cell(row, "name"),
                    actor_type=cell(row, "actor_type"),
                )
            except ServiceError as error:
                report.rejected.append((number, error.code))
                continue
            if added:
                report.added += 1
            else:
                report.already += 1
    return report


def registrants_invite(
    *, roundtable: Roundtable, organizer: Participant | None, link: Callable[[str], str], resend: bool = False
) -> int:
    """Email every registered person their personal link (only those not yet sent one, unless `resend`)."""
    policy_require(participant=organizer, action=Action.REGISTRATION_MANAGE)
    registrants = roundtable.registrants.all() if resend else roundtable.registrants.filter(invited_at=None)
    sent = 0
    for registrant in registrants:
        _send_link(registrant=registrant, link=link)
        sent += 1
    return sent


def registrant_link_request(
    *, roundtable: Roundtable, email: str, address: str, link: Callable[[str], str]
) -> None:
    """Someone lost their link: send it again if this email is registered. Says nothing either way, so
    the form cannot be used to find out who is registered. Every request counts against the limits per
    client `address`, then per email typed, then per roundtable (ROUNDTABLE_LINK_REQUEST_LIMITS),
    whether or not the email is registered, so being refused tells nothing either. A request refused by
    one limit counts against none of the next: one address's flood must not use up the whole
    roundtable's allowance and lock everyone else out."""
    email_address = email_clean(email)
    keys = {"address": address, "email": email_address, "roundtable": ""}
    for scope in ("address", "email", "roundtable"):
        limit, seconds = settings.ROUNDTABLE_LINK_REQUEST_LIMITS[scope]
        key = f"{roundtable.pk}:{keys[scope]}"
        if wait := throttle_hit(scope=f"link-request-{scope}", key=key, limit=limit, seconds=seconds):
            raise ServiceError("link_requests_too_many", minutes=math.ceil(wait / 60))
    registrant = Registrant.objects.filter(roundtable=roundtable, email=email_address).first()
    if registrant is not None:
        _send_link(registrant=registrant, link=link)


def registrant_by_token(*, roundtable: Roundtable, token: str) -> Registrant | None:
    if not token_could_exist(token):
        return None
    return Registrant.objects.filter(roundtable=roundtable, token=token).select_related("participant").first()


def _send_link(*, registrant: Registrant, link: Callable[[str], str]) -> None:
    email_send(
        template="registration_link",
        to=registrant.email,
        roundtable=registrant.roundtable,
        context={"name": registrant.display_name, "link": link(registrant.token)},
    )
    registrant.invited_at = timezone.now()
    registrant.save(update_fields=["invited_at"])
