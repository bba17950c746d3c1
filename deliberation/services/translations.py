"""Machine translation of a proposal or a room check into the reader's language, on their request: read
(may they see it? is a translation of this very text kept?), ask the backend without holding a database
thread, keep the answer for the next reader. Nothing in the deliberation changes, so no event is
written; the original text stays what everyone votes on."""

import datetime
import logging
from dataclasses import dataclass

from channels.db import database_sync_to_async
from django.db import transaction
from django.utils import timezone

from deliberation.errors import ServiceError
from deliberation.machine_translation import TranslationUnavailable, translation_backend
from deliberation.models import Participant, Proposal, ProposalStatus, Question, Roundtable, Statement
from deliberation.policy import Action, policy_require
from deliberation.selectors import participant_get
from deliberation.services.commands import CommandResult, invisible_strip
from deliberation.texts import text_fingerprint

logger = logging.getLogger(__name__)

# A translation may run longer than its original; this bounds what a misbehaving server can make us keep.
TRANSLATION_MAX_CHARS = 4000


@dataclass(frozen=True)
class TranslationWanted:
    model: type[Proposal] | type[Statement]
    pk: int
    text: str
    source: str
    target: str
    fingerprint: str
    kept: str | None


def _reader(
    *, roundtable_id: int, participant_id: int | None, action: Action, language: str
) -> tuple[Roundtable, Participant]:
    roundtable = Roundtable.objects.get(pk=roundtable_id)
    actor = policy_require(
        participant=participant_get(roundtable=roundtable, participant_id=participant_id), action=action
    )
    if language not in roundtable.languages:
        raise ServiceError("language_invalid")
    return roundtable, actor


def _wanted(item: Proposal | Statement, language: str) -> TranslationWanted:
    if item.language == language:
        raise ServiceError("translation_same_language")
    fingerprint = text_fingerprint(item.text)
    kept = item.translations.get(language)
    return TranslationWanted(
        model=type(item),
        pk=item.pk,
        text=item.text,
        source=item.language,
        target=language,
        fingerprint=fingerprint,
        kept=kept["text"] if kept and kept.get("of") == fingerprint else None,
    )


def proposal_translation_find(
    *, roundtable_id: int, participant_id: int | None, proposal_id: int, language: str
) -> TranslationWanted:
    roundtable, actor = _reader(
        roundtable_id=roundtable_id,
        participant_id=participant_id,
        action=Action.PROPOSAL_TRANSLATE,
        language=language,
    )
    proposal = Proposal.objects.filter(question__roundtable=roundtable, pk=proposal_id).first()
    # What the person cannot see does not exist for them (a pending or hidden proposal of someone else).
    if proposal is None or not (
        actor.is_staff or proposal.status == ProposalStatus.VISIBLE or proposal.author_id == actor.pk
    ):
        raise ServiceError("proposal_not_found")
    return _wanted(proposal, language)


def statement_translation_find(
    *, roundtable_id: int, participant_id: int | None, statement_id: int, language: str
) -> TranslationWanted:
    roundtable, _actor = _reader(
        roundtable_id=roundtable_id,
        participant_id=participant_id,
        action=Action.STATEMENT_TRANSLATE,
        language=language,
    )
    statement = Statement.objects.filter(question__roundtable=roundtable, pk=statement_id).first()
    if statement is None:
        raise ServiceError("statement_not_found")
    if not statement.language:
        # Put to the room before languages were detected on room checks: nothing to translate from.
        raise ServiceError("translation_same_language")
    return _wanted(statement, language)


def translation_keep(*, wanted: TranslationWanted, text: str) -> None:
    with transaction.atomic():
        item = wanted.model.objects.select_for_update().filter(pk=wanted.pk).first()
        # Edited (or erased) meanwhile: this translation is of a text that no longer exists.
        if item is None or text_fingerprint(item.text) != wanted.fingerprint:
            return
        item.translations = {**item.translations, wanted.target: {"of": wanted.fingerprint, "text": text}}
        item.save(update_fields=["translations"])


def translation_clean(text: str) -> str:
    """What the server sent is untrusted text: plain, one paragraph, bounded (shown as text, never HTML)."""
    cleaned = " ".join(invisible_strip(text).split())
    if not cleaned:
        raise TranslationUnavailable("an empty translation")
    return cleaned[:TRANSLATION_MAX_CHARS]


async def _translate(find, *, result_key: str, **lookup: int | str | None) -> CommandResult:
    backend = translation_backend()
    if backend is None:
        raise ServiceError("translation_off")
    wanted = await database_sync_to_async(find)(**lookup)
    result = {result_key: wanted.pk, "source": wanted.source, "language": wanted.target}
    if wanted.kept is not None:
        return CommandResult(seq=None, result={**result, "text": wanted.kept, "provider": backend.name})
    try:
        text = translation_clean(
            await backend.translate(text=wanted.text, source=wanted.source, target=wanted.target)
        )
    except TranslationUnavailable as error:
        logger.warning("machine translation of %s %s failed: %s", result_key, wanted.pk, error)
        raise ServiceError("translation_unavailable") from error
    await database_sync_to_async(translation_keep)(wanted=wanted, text=text)
    return CommandResult(seq=None, result={**result, "text": text, "provider": backend.name})


async def proposal_translate(
    *, roundtable_id: int, participant_id: int | None, proposal_id: int, language: str
) -> CommandResult:
    return await _translate(
        proposal_translation_find,
        result_key="proposal",
        roundtable_id=roundtable_id,
        participant_id=participant_id,
        proposal_id=proposal_id,
        language=language,
    )


async def statement_translate(
    *, roundtable_id: int, participant_id: int | None, statement_id: int, language: str
) -> CommandResult:
    return await _translate(
        statement_translation_find,
        result_key="statement",
        roundtable_id=roundtable_id,
        participant_id=participant_id,
        statement_id=statement_id,
        language=language,
    )


# --- Conclusions, commitments and room checks in every language (services/texts.py runs the pass). -----


def translations_mark_due(*, question: Question) -> None:
    """A moderator wrote something the other languages should have: ask for the translation pass, if a
    server is configured (without one, moderators write the other languages by hand)."""
    if translation_backend() is None:
        return
    Question.objects.filter(pk=question.pk, translations_due_at__isnull=True).update(
        translations_due_at=timezone.now()
    )


def translations_due() -> list[tuple[int, datetime.datetime]]:
    return list(
        Question.objects.filter(translations_due_at__lte=timezone.now()).values_list(
            "pk", "translations_due_at"
        )
    )


def translations_claim(*, question_id: int, due: datetime.datetime) -> bool:
    """True for exactly one caller per request, whichever process it is in."""
    return (
        Question.objects.filter(pk=question_id, translations_due_at=due).update(translations_due_at=None) == 1
    )


def translations_retry_later(*, question_id: int, seconds: float) -> None:
    Question.objects.filter(pk=question_id, translations_due_at__isnull=True).update(
        translations_due_at=timezone.now() + datetime.timedelta(seconds=seconds)
    )
