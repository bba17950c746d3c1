"""The registration list of a roundtable that requires it: adding people one by one or from a CSV
file, sending each their personal link, and sending it again to someone who lost it."""

import csv
import io
import math
import re
import secrets
import unicodedata
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
from deliberation.services.audit import organizer_action_record
from deliberation.services.staff import email_clean
from deliberation.throttles import throttle_hit

CSV_MAX_BYTES = 1_000_000


@dataclass
class ImportReport:
    added: int = 0
    already: int = 0
    # (line number, the error's code, the value refused) for every line left out.
    rejected: list[tuple[int, str, str]] = field(default_factory=list)


def _loose(text: str) -> str:
    """A header or a label as people type it: no accents, no case, any of _-.' as a space."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()
    return " ".join(re.sub(r"[_\-.'\u2019/]", " ", plain).split())


# Header names accepted for each column, as _loose() leaves them, in English, Spanish and French.
HEADER_NAMES = {
    "email": {
        "email",
        "e mail",
        "mail",
        "email address",
        "e mail address",
        "correo",
        "correo electronico",
        "email del participante",
        "courriel",
        "adresse e mail",
        "adresse email",
        "adresse electronique",
    },
    "name": {
        "name",
        "display name",
        "full name",
        "public name",
        "nombre",
        "nombre completo",
        "nombre publico",
        "nom",
        "nom complet",
        "nom affiche",
        "nom public",
    },
    "actor_type": {
        "actor type",
        "actor",
        "actor types",
        "type",
        "stakeholder",
        "stakeholder type",
        "sector",
        "tipo de actor",
        "tipo actor",
        "tipo",
        "actor tipo",
        "type d acteur",
        "type acteur",
        "acteur",
        "type d acteurs",
        "categorie",
        "categoria",
    },
}


def actor_type_resolve(*, roundtable: Roundtable, value: str) -> str | None:
    """The key of the actor type `value` names: its key, or its name in any of the roundtable's
    languages, however it is capitalised, accented or spaced. "" for nothing given, None if unknown."""
    wanted = _loose(value)
    if not wanted:
        return ""
    for actor_type in roundtable.actor_types:
        names = [actor_type["key"], *(text for key, text in actor_type.items() if key != "key")]
        if any(_loose(name) == wanted for name in names):
            return actor_type["key"]
    return None


def _header(row: list[str]) -> dict[str, int] | None:
    """The columns a header row names, or None if the row is not a header (it names no email column)."""
    found: dict[str, int] = {}
    for index, cell in enumerate(row):
        name = _loose(cell)
        for column, accepted in HEADER_NAMES.items():
            if name in accepted and column not in found:
                found[column] = index
    return found if "email" in found else None


def _registrant_put(
    *, roundtable: Roundtable, email: str, display_name: str, actor_type: str
) -> tuple[Registrant, bool]:
    address = email_clean(email)
    key = actor_type_resolve(roundtable=roundtable, value=actor_type)
    if key is None:
        raise ServiceError("actor_type_invalid")
    registrant, added = Registrant.objects.get_or_create(
        roundtable=roundtable,
        email=address,
        defaults={
            "display_name": display_name.strip()[:60],
            "actor_type": key,
            "token": secrets.token_urlsafe(24),
        },
    )
    return registrant, added


def registrant_add(
    *,
    roundtable: Roundtable,
    organizer: Participant | None,
    email: str,
    display_name: str = "",
    actor_type: str = "",
) -> tuple[Registrant, bool]:
    """Put a person on the list (or leave them as they are if already on it). Returns (registrant, added).
    `actor_type` is a key or an actor type's name in any of the roundtable's languages."""
    policy_require(participant=organizer, action=Action.REGISTRATION_MANAGE)
    with transaction.atomic():
        registrant, added = _registrant_put(
            roundtable=roundtable, email=email, display_name=display_name, actor_type=actor_type
        )
        if added:
            organizer_action_record(
                roundtable=roundtable,
                organizer=organizer,
                action="registrant.add",
                audit={"email": registrant.email, "actor_type": registrant.actor_type or None},
            )
    return registrant, added


def registrants_import(*, roundtable: Roundtable, organizer: Participant | None, data: bytes) -> ImportReport:
    """Read a CSV list: an email column (or the first column), optionally a name and an actor type.
    A header row is recognised by an email column, its names matched loosely in three languages
    ("E-mail", "correo", "Actor_Type", "tipo de actor"...). Actor types are given by key or by name in any
    language. Lines with errors are reported with their number and reason, the rest added."""
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
    header = _header(rows[0]) if rows else None
    if header is not None:
        columns = header
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
                _, added = _registrant_put(
                    roundtable=roundtable,
                    email=cell(row, "email"),
                    display_name=cell(row, "name"),
                    actor_type=cell(row, "actor_type"),
                )
            except ServiceError as error:
                refused = (
                    cell(row, "actor_type") if error.code == "actor_type_invalid" else cell(row, "email")
                )
                report.rejected.append((number, error.code, refused))
                continue
            if added:
                report.added += 1
            else:
                report.already += 1
        organizer_action_record(
            roundtable=roundtable,
            organizer=organizer,
            action="registrants.upload",
            audit={
                "added": report.added,
                "already": report.already,
                "rejected": [number for number, _code, _value in report.rejected],
            },
        )
    return report


def registrants_invite(
    *, roundtable: Roundtable, organizer: Participant | None, link: Callable[[str], str], resend: bool = False
) -> int:
    """Email every registered person their personal link (only those not yet sent one, unless `resend`)."""
    policy_require(participant=organizer, action=Action.REGISTRATION_MANAGE)
    registrants = roundtable.registrants.all() if resend else roundtable.registrants.filter(invited_at=None)
    sent = 0
    # The emails go out before the record, outside any lock: commands on the roundtable never wait
    # for a mail server.
    for registrant in registrants:
        _send_link(registrant=registrant, link=link)
        sent += 1
    if sent:
        organizer_action_record(
            roundtable=roundtable,
            organizer=organizer,
            action="links.send",
            audit={"sent": sent, "resend": resend},
        )
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
