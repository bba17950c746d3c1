import datetime
import json
import secrets
import zoneinfo
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import translation

from deliberation.errors import ServiceError
from deliberation.models import Participant, Question, QuestionState, Role, Roundtable
from deliberation.policy import Action, policy_require
from deliberation.services.audit import organizer_action_record

# The card of the forum's session 1.1.1 (a copy of ../shared/seed/), shipped so a clone alone runs.
BUNDLED_SEED = Path(__file__).resolve().parents[1] / "seed" / "session-1.1.1.json"

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread from a projector
TITLE_MAX_CHARS = 300
QUESTION_MAX_CHARS = 500
QUESTIONS_MAX = 20
CAPACITY_MAX = 20000
DESCRIPTION_MAX_CHARS = 2000


def roundtable_load_seed(*, seed: dict[str, Any], code: str, registration_required: bool | None = None):
    """Create the roundtable a seed card describes (see ../shared/seed/), with its first question open.

    Returns (roundtable, created). A roundtable with this code that exists already is left exactly as
    it is: it may be running, and a seed must never reset a live session. The registration rule is the
    card's unless `registration_required` says otherwise (a demo, a benchmark)."""
    existing = Roundtable.objects.filter(code__iexact=code).first()
    if existing is not None:
        return existing, False
    session = seed["session"]
    with transaction.atomic():
        roundtable = Roundtable.objects.create(
            code=code,
            title=session["title"],
            event_name=seed.get("event", {}).get("name", {}),
            organizers=session.get("organizers", []),
            objectives=session.get("objectives", {}),
            languages=session["languages"],
            actor_types=seed["actor_types"],
            capacity=session.get("capacity", 150),
            registration_required=session.get("registration_required", False)
            if registration_required is None
            else registration_required,
            starts_at=_parse_datetime(session.get("starts_at")),
            ends_at=_parse_datetime(session.get("ends_at")),
            # The zone the card's times are meant in (ours names it; the times carry only an offset).
            time_zone=session.get("time_zone", "UTC"),
        )
        for question in sorted(seed["questions"], key=lambda q: q["order"]):
            Question.objects.create(
                roundtable=roundtable,
                order=question["order"],
                text={lang: question[lang] for lang in roundtable.languages if lang in question},
                state=QuestionState.COLLECTING if question["order"] == 1 else QuestionState.CLOSED,
            )
        roundtable.current_question = roundtable.questions.get(order=1)
        roundtable.save(update_fields=["current_question"])
    return roundtable, True


def seed_read(path: Path = BUNDLED_SEED) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def _parse_datetime(value: str | None) -> datetime.datetime | None:
    return datetime.datetime.fromisoformat(value) if value else None


def roundtable_code_new() -> str:
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(6))
        if not Roundtable.objects.filter(code__iexact=code).exists():
            return code


def roundtable_create(
    *,
    user: Any,
    title: dict[str, str],
    questions: dict[str, list[str]],
    languages: list[str],
    capacity: int,
    registration_required: bool,
    starts_at: datetime.datetime | None,
    ends_at: datetime.datetime | None,
    time_zone: str,
    code: str | None = None,
    actor_types: list[dict[str, str]] | None = None,
    event_name: dict[str, str] | None = None,
    objectives: dict[str, str] | None = None,
) -> Roundtable:
    """A new roundtable with its questions (all closed), and its creator as its first organizer. Its
    actor types are the forum card's multi-stakeholder set unless others are given.

    `title` and `questions` are keyed by language and must be given in every one of `languages`;
    every language must have the same number of questions (they are the same questions). The event's
    name and the description (`objectives`) are optional, per language; actor types need a key and a
    name in every language, keys unique."""
    if not languages:
        raise ServiceError("language_invalid")
    actor_types = actor_types if actor_types is not None else seed_read()["actor_types"]
    actor_types_check(actor_types=actor_types, languages=languages)
    event_name = {language: text.strip() for language, text in (event_name or {}).items() if text.strip()}
    objectives = {language: text.strip() for language, text in (objectives or {}).items() if text.strip()}
    if any(len(text) > TITLE_MAX_CHARS for text in event_name.values()):
        raise ServiceError("text_too_long", limit=TITLE_MAX_CHARS)
    if any(len(text) > DESCRIPTION_MAX_CHARS for text in objectives.values()):
        raise ServiceError("text_too_long", limit=DESCRIPTION_MAX_CHARS)
    for language in languages:
        if not title.get(language, "").strip() or len(title[language]) > TITLE_MAX_CHARS:
            raise ServiceError("roundtable_title_invalid", limit=TITLE_MAX_CHARS)
    counts = {len(questions.get(language, [])) for language in languages}
    if len(counts) != 1 or not 1 <= counts.pop() <= QUESTIONS_MAX:
        raise ServiceError("roundtable_questions_invalid", limit=QUESTIONS_MAX)
    if any(len(text) > QUESTION_MAX_CHARS for language in languages for text in questions[language]):
        raise ServiceError("text_too_long", limit=QUESTION_MAX_CHARS)
    if not 1 <= capacity <= CAPACITY_MAX:
        raise ServiceError("capacity_invalid", limit=CAPACITY_MAX)
    if time_zone not in zoneinfo.available_timezones():
        raise ServiceError("time_zone_invalid")
    if starts_at and ends_at and ends_at <= starts_at:
        raise ServiceError("times_invalid")
    code = (code or "").strip().upper() or roundtable_code_new()
    if not code.replace("-", "").replace("_", "").isalnum() or len(code) > 32:
        raise ServiceError("code_invalid")
    with transaction.atomic():
        if Roundtable.objects.filter(code__iexact=code).exists():
            raise ServiceError("code_taken")
        roundtable = Roundtable.objects.create(
            code=code,
            title={language: title[language].strip() for language in languages},
            event_name={language: event_name[language] for language in languages if language in event_name},
            objectives={language: objectives[language] for language in languages if language in objectives},
            languages=languages,
            actor_types=actor_types,
            capacity=capacity,
            registration_required=registration_required,
            starts_at=starts_at,
            ends_at=ends_at,
            time_zone=time_zone,
        )
        for order, texts in enumerate(zip(*(questions[language] for language in languages), strict=True), 1):
            Question.objects.create(
                roundtable=roundtable,
                order=order,
                text={language: text.strip() for language, text in zip(languages, texts, strict=True)},
            )
        seat = staff_seat_grant(roundtable=roundtable, user=user, role=Role.ORGANIZER)
        organizer_action_record(
            roundtable=roundtable,
            organizer=seat,
            action="roundtable.create",
            audit={"code": code, "languages": languages, "questions": order, "actor_types": len(actor_types)},
        )
    return roundtable


ACTOR_TYPES_MAX = 30
ACTOR_TYPE_NAME_MAX_CHARS = 80


def actor_types_check(*, actor_types: list[dict[str, str]], languages: list[str]) -> None:
    """Between 1 and ACTOR_TYPES_MAX actor types, each with a key (letters, digits, dashes) and a name
    in every language of the roundtable; no key twice."""
    if not 1 <= len(actor_types) <= ACTOR_TYPES_MAX:
        raise ServiceError("actor_types_invalid", limit=ACTOR_TYPES_MAX)
    keys = [actor_type.get("key", "") for actor_type in actor_types]
    if len(set(keys)) != len(keys) or not all(
        key and len(key) <= 64 and key.replace("-", "").replace("_", "").isalnum() for key in keys
    ):
        raise ServiceError("actor_types_invalid", limit=ACTOR_TYPES_MAX)
    for actor_type in actor_types:
        for language in languages:
            name = actor_type.get(language, "").strip()
            if not name or len(name) > ACTOR_TYPE_NAME_MAX_CHARS:
                raise ServiceError("actor_types_invalid", limit=ACTOR_TYPES_MAX)


def staff_seat_grant(*, roundtable: Roundtable, user: Any, role: str, display_name: str = "") -> Participant:
    """Give an account a moderator or organizer seat (an organizer is never demoted by an invitation to
    moderate). No event: staff are not counted in participation.

    The seat's public name is the one the person chose, else their account's full name, else their role
    in the roundtable's first language: never anything made from their email address, which would show
    the address's local part to everyone as the author of their proposals and drafts."""
    chosen = " ".join(display_name.split()) or user.get_full_name().strip()
    if not chosen:
        with translation.override(roundtable.languages[0]):
            chosen = str(Role(role).label)
    name = chosen[:60]
    # Staff tell each other apart by name (who is editing which draft): two "Moderator"s become two.
    taken = set(
        roundtable.participants.filter(role__in=[Role.MODERATOR, Role.ORGANIZER])
        .exclude(user=user)
        .values_list("display_name", flat=True)
    )
    number = 1
    while name in taken:
        number += 1
        name = f"{chosen[:55]} {number}"
    seat, created = Participant.objects.get_or_create(
        roundtable=roundtable,
        user=user,
        defaults={"display_name": name, "actor_type": "", "language": roundtable.languages[0], "role": role},
    )
    if not created and seat.role != Role.ORGANIZER and seat.role != role:
        seat.role = role
        seat.save(update_fields=["role"])
    return seat


FLAG_THRESHOLD_MAX = 100


def roundtable_configure(
    *, roundtable: Roundtable, organizer: Participant | None, capacity: int, flag_threshold: int
) -> None:
    """Seats and the number of reports that hold a proposal for review. Fewer seats than people already
    seated is refused: nobody is turned out of a running session."""
    policy_require(participant=organizer, action=Action.ROUNDTABLE_CONFIGURE)
    if not 1 <= capacity <= CAPACITY_MAX:
        raise ServiceError("capacity_invalid", limit=CAPACITY_MAX)
    if not 1 <= flag_threshold <= FLAG_THRESHOLD_MAX:
        raise ServiceError("flag_threshold_invalid", limit=FLAG_THRESHOLD_MAX)
    with transaction.atomic():
        locked = Roundtable.objects.select_for_update().get(pk=roundtable.pk)
        seated = locked.participants.filter(role=Role.PARTICIPANT).count()
        if capacity < seated:
            raise ServiceError("capacity_below_seated", seated=seated)
        Roundtable.objects.filter(pk=roundtable.pk).update(capacity=capacity, flag_threshold=flag_threshold)
        changed = {
            name: [before, after]
            for name, before, after in (
                ("capacity", locked.capacity, capacity),
                ("flag_threshold", locked.flag_threshold, flag_threshold),
            )
            if before != after
        }
        if changed:
            organizer_action_record(
                roundtable=locked, organizer=organizer, action="roundtable.settings", audit=changed
            )
    roundtable.capacity, roundtable.flag_threshold = capacity, flag_threshold


def roundtable_registration_set(
    *, roundtable: Roundtable, organizer: Participant | None, required: bool
) -> None:
    """Require registration, or let anyone with the code join. Seats already taken stay taken."""
    policy_require(participant=organizer, action=Action.REGISTRATION_MANAGE)
    with transaction.atomic():
        changed = (
            Roundtable.objects.filter(pk=roundtable.pk)
            .exclude(registration_required=required)
            .update(registration_required=required)
        )
        if changed:
            organizer_action_record(
                roundtable=roundtable,
                organizer=organizer,
                action="registration.rule",
                audit={"required": required},
            )
    roundtable.registration_required = required
