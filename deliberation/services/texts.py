"""Conclusions, commitments and room checks in every language of the roundtable. A moderator writes one
language; with a translation server configured, the translation pass proposes the others (machine-made,
marked so until a moderator reviews or corrects them); without one, moderators write them by hand.

A commitment's or room check's text in another language is an entry of its `translations`, keyed by
language: {"of": fingerprint of the original, "text", "machine", "author", "at", "reviewed_by",
"reviewed_at"}. The conclusions are versions per language (DraftRevision, services/drafts.py).

The pass runs in every process (realtime/translation_runner.py): a question marked due is claimed by
one, which asks the server for what is missing, without holding the roundtable's lock meanwhile, then
writes each answer only if what it translated is still what needs it."""

import asyncio
import functools
import logging
import re
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Literal

from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from django.db import transaction
from django.utils import timezone

from deliberation.document.build import draft_outdated, draft_source, drafts_latest
from deliberation.document.live import statement_view
from deliberation.document.markdown import CITATION
from deliberation.errors import ServiceError
from deliberation.machine_translation import (
    TranslationBackend,
    TranslationUnavailable,
    translate_many,
    translation_backend,
)
from deliberation.models import Commitment, Participant, Question, Roundtable, Statement
from deliberation.policy import Action
from deliberation.services.commands import CommandResult, command_begin, text_clean
from deliberation.services.drafts import (
    COMMITMENT_WHAT_MAX_CHARS,
    commitments_changed,
    draft_retranslation_save,
    draft_retranslation_source,
    draft_translation_save,
)
from deliberation.services.events import event_record, roundtable_lock
from deliberation.services.statements import STATEMENT_MAX_CHARS
from deliberation.services.translations import (
    translation_clean,
    translations_claim,
    translations_due,
    translations_retry_later,
)
from deliberation.texts import text_fingerprint

logger = logging.getLogger(__name__)

TextKind = Literal["commitment", "statement"]

# After a failed pass (server down), the question is tried again this much later, not every tick.
RETRY_SECONDS = 60


def _original(item: Commitment | Statement) -> str:
    return item.what if isinstance(item, Commitment) else item.text


def _item_in(*, roundtable: Roundtable, kind: TextKind, item_id: int) -> Commitment | Statement:
    model = Commitment if kind == "commitment" else Statement
    item = (
        model.objects.select_related("question").filter(question__roundtable=roundtable, pk=item_id).first()
    )
    if item is None:
        raise ServiceError(f"{kind}_not_found")
    return item


def _item_changed(
    *,
    roundtable: Roundtable,
    item: Commitment | Statement,
    actor: Participant | None,
    audit: dict[str, Any],
    command_id: str | None,
) -> int:
    if isinstance(item, Commitment):
        return commitments_changed(
            roundtable=roundtable,
            question=item.question,
            actor=actor,
            audit={"commitment": item.pk, **audit},
            command_id=command_id,
        ).seq
    return event_record(
        roundtable=roundtable,
        kind="statement.updated",
        data={"action": "text", "statement": statement_view(statement=item)},
        staff={"audit": {"statement": item.number, **audit}},
        actor=actor,
        command_id=command_id,
    ).seq


def translation_save(
    *,
    roundtable_id: int,
    participant_id: int | None,
    kind: TextKind,
    item_id: int,
    language: str,
    text: str,
    command_id: str | None = None,
) -> CommandResult:
    """A moderator writes (or corrects) a commitment's or room check's text in another language. The
    original stays as it is: people answered a room check as it was put to them."""
    limit = COMMITMENT_WHAT_MAX_CHARS if kind == "commitment" else STATEMENT_MAX_CHARS
    cleaned = text_clean(text=text, max_chars=limit)
    with transaction.atomic():
        roundtable, actor, earlier = command_begin(
            roundtable_id=roundtable_id,
            participant_id=participant_id,
            action=Action.TRANSLATION_SAVE,
            command_id=command_id,
        )
        result = {kind: item_id, "language": language}
        if earlier is not None:
            return CommandResult(seq=earlier.seq, result=result)
        if language not in roundtable.languages:
            raise ServiceError("language_invalid")
        item = _item_in(roundtable=roundtable, kind=kind, item_id=item_id)
        if language == item.language:
            raise ServiceError("text_language_original")
        fingerprint = text_fingerprint(_original(item))
        entry = item.translations.get(language) or {}
        if entry.get("of") == fingerprint and "machine" in entry and entry["text"] == cleaned:
            return CommandResult(seq=None, result=result)
        now = timezone.now().isoformat()
        item.translations = {
            **item.translations,
            language: {
                "of": fingerprint,
                "text": cleaned,
                "machine": False,
                "author": actor.display_name,
                "at": now,
                # Written or corrected by a person: that person stands by it.
                "reviewed_by": actor.display_name,
                "reviewed_at": now,
            },
        }
        item.save(update_fields=["translations"])
        seq = _item_changed(
            roundtable=roundtable,
            item=item,
            actor=actor,
            audit={"language": language, "text": cleaned},
            command_id=command_id,
        )
    return CommandResult(seq=seq, result=result)


def translation_review(
    *,
    roundtable_id: int,
    participant_id: int | None,
    kind: TextKind,
    item_id: int,
    language: str,
    command_id: str | None = None,
) -> CommandResult:
    """A moderator has read a machine translation of a commitment or room check and stands by it."""
    with transaction.atomic():
        roundtable, actor, earlier = command_begin(
            roundtable_id=roundtable_id,
            participant_id=participant_id,
            action=Action.TRANSLATION_REVIEW,
            command_id=command_id,
        )
        result = {kind: item_id, "language": language}
        if earlier is not None:
            return CommandResult(seq=earlier.seq, result=result)
        if language not in roundtable.languages:
            raise ServiceError("language_invalid")
        item = _item_in(roundtable=roundtable, kind=kind, item_id=item_id)
        entry = item.translations.get(language) or {}
        if entry.get("of") != text_fingerprint(_original(item)) or not entry.get("machine"):
            raise ServiceError("review_not_machine")
        if entry.get("reviewed_at"):
            return CommandResult(seq=None, result=result)
        item.translations = {
            **item.translations,
            language: {**entry, "reviewed_by": actor.display_name, "reviewed_at": timezone.now().isoformat()},
        }
        item.save(update_fields=["translations"])
        seq = _item_changed(
            roundtable=roundtable,
            item=item,
            actor=actor,
            audit={"language": language, "reviewed": True},
            command_id=command_id,
        )
    return CommandResult(seq=seq, result=result)


# --- The translation pass. ---------------------------------------------------------------------------


@dataclass(frozen=True)
class TextToTranslate:
    kind: Literal["draft", "commitment", "statement"]
    # The question for a draft, else the commitment or statement.
    item_id: int
    source: str
    target: str
    text: str
    # A draft's source version, or the fingerprint of a commitment's or room check's original.
    of: int | str


def question_translations_wanted(*, question_id: int) -> list[TextToTranslate]:
    """What of a question the other languages lack: the conclusions where a language has nothing, or
    only an unreviewed machine translation of an older original (never over what a moderator wrote,
    corrected or reviewed: that stays, marked out of date, until a moderator corrects it, says it still
    holds, or asks for a new translation); commitments and room checks without a text in a language."""
    question = Question.objects.select_related("roundtable").get(pk=question_id)
    languages = question.roundtable.languages
    wanted: list[TextToTranslate] = []
    latest = drafts_latest(question_id=question_id)
    source = draft_source(latest)
    if source is not None:
        for language in languages:
            if language == source.language:
                continue
            target = latest.get(language)
            if target is not None and (
                not target.machine or target.reviewed_at is not None or not draft_outdated(target, source)
            ):
                continue
            wanted.append(
                TextToTranslate("draft", question_id, source.language, language, source.text, source.version)
            )
    items: list[tuple[Literal["commitment", "statement"], Commitment | Statement]] = [
        ("commitment", item) for item in Commitment.objects.filter(question_id=question_id).order_by("id")
    ] + [("statement", item) for item in Statement.objects.filter(question_id=question_id).order_by("number")]
    for kind, item in items:
        if not item.language:
            continue
        fingerprint = text_fingerprint(_original(item))
        for language in languages:
            entry = item.translations.get(language) or {}
            if language == item.language or (entry.get("of") == fingerprint and "machine" in entry):
                continue
            wanted.append(
                TextToTranslate(kind, item.pk, item.language, language, _original(item), fingerprint)
            )
    return wanted


# A Markdown line's structure, kept out of the translation: indentation, heading, quote, list marker.
_LINE_PREFIX = re.compile(r"^(\s*(?:#{1,6}\s+|>\s?|[-*+]\s+|\d{1,3}[.)]\s+)*)")


def _markdown_bodies(text: str) -> list[tuple[str, str | None]]:
    """Each line as (its structure, the words to translate), or (the line, None) when there is nothing
    to translate in it (blank, or citations alone)."""
    parts: list[tuple[str, str | None]] = []
    for line in text.split("\n"):
        prefix = _LINE_PREFIX.match(line).group(1)
        body = line[len(prefix) :]
        if not body.strip() or not re.search(r"\w", CITATION.sub("", body)):
            parts.append((line, None))
        else:
            parts.append((prefix, body))
    return parts


def markdown_translate(text: str, translate_many: Callable[[list[str]], list[str]]) -> str:
    """Translate conclusions line by line so their Markdown structure survives any server, all the lines
    in one request (`translate_many` takes the list); a citation the translation lost is put back at the
    end of its line (a citation is what ties a conclusion to the room's proposals, so it must be in every
    language)."""
    parts = _markdown_bodies(text)
    translated = iter(translate_many([body for _, body in parts if body is not None]))
    lines = []
    for prefix, body in parts:
        if body is None:
            lines.append(prefix)
            continue
        line = next(translated)
        lost = [match.group(0) for match in CITATION.finditer(body) if match.group(0) not in line]
        lines.append(prefix + " ".join([line, *lost]))
    return "\n".join(lines)


async def texts_translate(*, backend: TranslationBackend, wanted: list[TextToTranslate]) -> list[str]:
    """Each wanted text translated, in order, with one request per language pair: a conclusion's lines,
    commitments and room checks of a question going from English to French travel together."""
    pieces: dict[tuple[str, str], list[str]] = defaultdict(list)
    for item in wanted:
        bodies = (
            [body for _, body in _markdown_bodies(item.text) if body is not None]
            if item.kind == "draft"
            else [item.text]
        )
        pieces[item.source, item.target].extend(bodies)
    answers: dict[tuple[str, str], Iterator[str]] = {}
    for (source, target), texts in pieces.items():
        translated = await translate_many(backend, texts=texts, source=source, target=target)
        answers[source, target] = iter([translation_clean(text) for text in translated])
    results = []
    for item in wanted:
        answer = answers[item.source, item.target]
        if item.kind == "draft":
            results.append(
                markdown_translate(item.text, lambda bodies, answer=answer: [next(answer) for _ in bodies])
            )
        else:
            results.append(next(answer))
    return results


def translation_machine_save(*, wanted: TextToTranslate, text: str) -> int | None:
    """Keep a machine translation if what it translated is still the original and the language still
    lacks one; returns the event's seq, or None when it came too late to be of use."""
    if wanted.kind == "draft":
        return draft_translation_save(
            question_id=wanted.item_id,
            language=wanted.target,
            source_language=wanted.source,
            source_version=int(wanted.of),
            text=text,
        )
    model = Commitment if wanted.kind == "commitment" else Statement
    with transaction.atomic():
        item = model.objects.select_related("question").filter(pk=wanted.item_id).first()
        if item is None:
            return None
        roundtable = roundtable_lock(roundtable_id=item.question.roundtable_id)
        item.refresh_from_db()
        entry = item.translations.get(wanted.target) or {}
        if text_fingerprint(_original(item)) != wanted.of or (
            entry.get("of") == wanted.of and "machine" in entry
        ):
            return None
        item.translations = {
            **item.translations,
            wanted.target: {
                "of": wanted.of,
                "text": text,
                "machine": True,
                "author": None,
                "at": timezone.now().isoformat(),
                "reviewed_by": None,
                "reviewed_at": None,
            },
        }
        item.save(update_fields=["translations"])
        return _item_changed(
            roundtable=roundtable,
            item=item,
            actor=None,
            audit={"language": wanted.target, "machine": True},
            command_id=None,
        )


def question_translate(*, question_id: int) -> int:
    """Ask the server for everything the question lacks (one request per language pair); returns how
    many texts were written. A server that fails leaves the question to be tried again later."""
    backend = translation_backend()
    if backend is None:
        return 0
    wanted = question_translations_wanted(question_id=question_id)
    if not wanted:
        return 0
    try:
        texts = async_to_sync(texts_translate)(backend=backend, wanted=wanted)
    except TranslationUnavailable as error:
        logger.warning("translation of question %s failed: %s", question_id, error)
        translations_retry_later(question_id=question_id, seconds=RETRY_SECONDS)
        return 0
    return sum(
        translation_machine_save(wanted=item, text=text) is not None
        for item, text in zip(wanted, texts, strict=True)
    )


# "Translate again" commands waiting on the server in this process, by (roundtable, person, command id):
# the same command delivered again meanwhile (resent on a new socket while the first still waits on the
# server) waits for that first delivery instead of asking the server a second time.
_retranslations_running: dict[tuple[int, int | None, str], asyncio.Task[CommandResult]] = {}


async def draft_retranslate(
    *,
    roundtable_id: int,
    participant_id: int | None,
    question_id: int,
    language: str,
    command_id: str | None = None,
) -> CommandResult:
    """A moderator's "Translate again" of a language the original outgrew: read what to translate, ask
    the server without holding the database thread (like a reader's translation), then write it as the
    language's next version in one transaction and one event.

    A command id takes effect once and asks the server once: a retry of one that took effect is answered
    from the event log, and one that arrives while the first is still waiting on the server shares its
    answer. The work runs as a task of its own, so the first delivery's socket closing (the reason for
    most retries) does not throw away a translation already asked for."""
    work = functools.partial(
        _draft_retranslate,
        roundtable_id=roundtable_id,
        participant_id=participant_id,
        question_id=question_id,
        language=language,
        command_id=command_id,
    )
    if command_id is None:
        return await work()
    key = (roundtable_id, participant_id, command_id)
    loop = asyncio.get_running_loop()
    running = _retranslations_running.get(key)
    # A finished task whose done-callback has not run yet is not shared: its error (a server that failed)
    # must not answer a retry, which is a new try.
    if running is None or running.done() or running.get_loop() is not loop:
        running = loop.create_task(work())
        _retranslations_running[key] = running
        running.add_done_callback(functools.partial(_retranslation_done, key))
    # Shielded: a socket that closes cancels its own wait, not the translation others may be waiting on.
    return await asyncio.shield(running)


def _retranslation_done(key: tuple[int, int | None, str], task: asyncio.Task[CommandResult]) -> None:
    if _retranslations_running.get(key) is task:
        del _retranslations_running[key]
    if not task.cancelled():
        task.exception()  # retrieved: the deliveries still waiting were told; nobody else is to be


async def _draft_retranslate(
    *,
    roundtable_id: int,
    participant_id: int | None,
    question_id: int,
    language: str,
    command_id: str | None,
) -> CommandResult:
    # The event log first: a retry of a command that took effect gets its first ack, even if the server
    # was switched off since.
    source = await database_sync_to_async(draft_retranslation_source)(
        roundtable_id=roundtable_id,
        participant_id=participant_id,
        question_id=question_id,
        language=language,
        command_id=command_id,
    )
    if isinstance(source, CommandResult):
        return source
    backend = translation_backend()
    if backend is None:
        raise ServiceError("translation_off")
    wanted = TextToTranslate("draft", question_id, source.language, language, source.text, source.version)
    try:
        [text] = await texts_translate(backend=backend, wanted=[wanted])
    except TranslationUnavailable as error:
        logger.warning("translation of question %s into %s failed: %s", question_id, language, error)
        raise ServiceError("translation_unavailable") from error
    return await database_sync_to_async(draft_retranslation_save)(
        roundtable_id=roundtable_id,
        participant_id=participant_id,
        question_id=question_id,
        language=language,
        source_language=source.language,
        source_version=source.version,
        text=text,
        command_id=command_id,
    )


def translations_run_due() -> int:
    # Without a server nothing is ever marked due: no query every tick for `make run`.
    if translation_backend() is None:
        return 0
    ran = 0
    for question_id, due in translations_due():
        if translations_claim(question_id=question_id, due=due):
            try:
                question_translate(question_id=question_id)
            except Exception:
                # One question's failure must not stop the others', nor the runner.
                logger.exception("translation pass of question %s failed", question_id)
            ran += 1
    return ran
