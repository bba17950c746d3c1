"""Moderators write each question's conclusions together, in each of the roundtable's languages. Each
language has its own versions. A save names the language and the version it started from: saved on the
latest, it becomes the next version; saved on an older one, the changes made since are merged in line by
line (merge3), and where both changed the same lines the save is refused with the text marked for the
moderator to resolve, so no one's words are overwritten. A machine translation (services/texts.py) is a
version like any other, marked as machine-made until a moderator reviews it (`draft_review`) or saves a
corrected version. Commitments (what, who, by when) belong to the conclusions and are kept beside them."""

import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from merge3 import Merge3

from deliberation.analysis.languages import language_detect
from deliberation.document.build import draft_latest, draft_outdated, draft_source, drafts_latest
from deliberation.document.live import question_commitments, question_draft
from deliberation.document.markdown import conflict_markers_present
from deliberation.errors import ServiceError
from deliberation.models import Commitment, DraftRevision, Event, Participant, Question, Roundtable
from deliberation.policy import Action, policy_require
from deliberation.selectors import participant_get
from deliberation.services.commands import (
    CommandResult,
    command_begin,
    command_find,
    invisible_strip,
    question_in,
    text_clean,
)
from deliberation.services.events import event_record, roundtable_lock
from deliberation.services.translations import translations_mark_due

COMMITMENT_WHAT_MAX_CHARS = 300
COMMITMENT_ORGANISATION_MAX_CHARS = 120


def draft_text_clean(*, text: str) -> str:
    """Markdown keeps its lines: newlines normalised, control characters dropped, NFC, a length limit."""
    cleaned = invisible_strip(text.replace("\r\n", "\n").replace("\r", "\n"))
    cleaned = "\n".join(line.rstrip() for line in cleaned.split("\n")).strip("\n")
    limit = settings.ROUNDTABLE_DRAFT_MAX_CHARS
    if len(cleaned) > limit:
        raise ServiceError("text_too_long", limit=limit)
    return cleaned + "\n" if cleaned else ""


def _merge(*, base: str, theirs: str, mine: str, their_label: str, language: str) -> tuple[str, bool]:
    merger = Merge3(base.splitlines(True), theirs.splitlines(True), mine.splitlines(True))
    conflicted = any(region[0] == "conflict" for region in merger.merge_regions())
    with translation.override(language):
        mine_label = _("your text")
    lines = merger.merge_lines(name_a=their_label, name_b=mine_label)
    merged = "".join(line if line.endswith("\n") else line + "\n" for line in lines)
    return merged, conflicted


def draft_language(*, roundtable: Roundtable, actor: Participant, language: str | None) -> str:
    """The language a save is in: the one named, else the moderator's own (clients before per-language
    drafts named none), else the roundtable's first."""
    if language is None:
        return actor.language if actor.language in roundtable.languages else roundtable.languages[0]
    if language not in roundtable.languages:
        raise ServiceError("language_invalid")
    return language


def _draft_changed(
    *,
    roundtable: Roundtable,
    question: Question,
    revision: DraftRevision,
    actor: Participant | None,
    audit: dict[str, Any],
    command_id: str | None,
):
    return event_record(
        roundtable=roundtable,
        kind="draft.updated",
        data={"question": question.pk, "language": revision.language, "version": revision.version},
        staff={"draft": question_draft(question=question), "audit": audit},
        actor=actor,
        command_id=command_id,
    )


def draft_save(
    *,
    roundtable_id: int,
    participant_id: int | None,
    question_id: int,
    base_version: int,
    text: str,
    language: str | None = None,
    command_id: str | None = None,
) -> CommandResult:
    with transaction.atomic():
        roundtable, actor, earlier = command_begin(
            roundtable_id=roundtable_id,
            participant_id=participant_id,
            action=Action.DRAFT_SAVE,
            command_id=command_id,
        )
        if earlier is not None:
            return CommandResult(
                seq=earlier.seq,
                result={"version": earlier.data["version"], "language": earlier.data.get("language")},
            )
        question = question_in(roundtable=roundtable, question_id=question_id)
        language = draft_language(roundtable=roundtable, actor=actor, language=language)
        cleaned = draft_text_clean(text=text)
        if conflict_markers_present(cleaned):
            raise ServiceError("draft_markers")
        latest = draft_latest(question_id=question.pk, language=language)
        current = latest.version if latest else 0
        if base_version > current:
            raise ServiceError("draft_version_invalid")
        merged = False
        if base_version != current:
            base = (
                DraftRevision.objects.get(question=question, language=language, version=base_version).text
                if base_version
                else ""
            )
            author = latest.author.display_name if latest.author else _machine_name(actor.language)
            with translation.override(actor.language):
                their_label = _("version %(version)s by %(author)s") % {"version": current, "author": author}
            result, conflicted = _merge(
                base=base, theirs=latest.text, mine=cleaned, their_label=their_label, language=actor.language
            )
            if conflicted:
                raise ServiceError("draft_conflict", version=current, author=author, merged=result)
            cleaned, merged = result, True
        result = {"version": current, "merged": merged, "language": language}
        if latest is not None and cleaned == latest.text:
            return CommandResult(seq=None, result=result)
        # Saving over a translation corrects it: the text is now the moderator's, a translation of the
        # original as it is now (the console showed them whether it had changed), reviewed by them now.
        # A first text in a language when another language already has the original is a translation of
        # it by hand (without a server, that is how the other languages are written): it answers to
        # that original, so it too is marked out of date when the original changes.
        source = draft_source(drafts_latest(question_id=question.pk))
        if source is not None and source.language == language:
            source = None
        translated = latest is not None and bool(latest.source_language)
        if not translated and source is not None and (latest is None or not latest.text.strip()):
            translated = True
        now = timezone.now()
        revision = DraftRevision.objects.create(
            question=question,
            language=language,
            version=current + 1,
            text=cleaned,
            author=actor,
            merged=merged,
            source_language=(source.language if source else latest.source_language) if translated else "",
            source_version=(source.version if source else latest.source_version) if translated else None,
            reviewed_by=actor if translated else None,
            reviewed_by_name=actor.display_name if translated else "",
            reviewed_at=now if translated else None,
        )
        # A new original: every other language is now out of date (`draft_outdated`, carried by this
        # one event's draft); the pass replaces what a machine made and leaves what people wrote, marked.
        if not translated and cleaned.strip():
            translations_mark_due(question=question)
        event = _draft_changed(
            roundtable=roundtable,
            question=question,
            revision=revision,
            actor=actor,
            audit={
                "version": revision.version,
                "language": language,
                "merged": merged,
                "characters": len(cleaned),
            },
            command_id=command_id,
        )
    return CommandResult(seq=event.seq, result={**result, "version": revision.version})


def draft_translation_save(
    *, question_id: int, language: str, source_language: str, source_version: int, text: str
) -> int | None:
    """A machine translation of `source_language`'s version `source_version`, as `language`'s next
    version: only if that source is still the latest original and `language` has nothing a moderator
    wrote, corrected or reviewed (a machine never replaces a person's work on its own: such a text, once
    out of date, waits for a moderator, who may ask for a new translation: `draft_retranslation_save`).
    Returns the event's seq, or None."""
    with transaction.atomic():
        question = Question.objects.select_related("roundtable").get(pk=question_id)
        roundtable = roundtable_lock(roundtable_id=question.roundtable_id)
        latest = drafts_latest(question_id=question.pk)
        source = draft_source(latest)
        if source is None or (source.language, source.version) != (source_language, source_version):
            return None
        target = latest.get(language)
        if target is not None and (not target.machine or target.reviewed_at is not None):
            return None
        if target is not None and (target.source_language, target.source_version) == (
            source_language,
            source_version,
        ):
            return None
        revision = DraftRevision.objects.create(
            question=question,
            language=language,
            version=(target.version if target else 0) + 1,
            text=text,
            machine=True,
            source_language=source_language,
            source_version=source_version,
        )
        event = _draft_changed(
            roundtable=roundtable,
            question=question,
            revision=revision,
            actor=None,
            audit={"version": revision.version, "language": language, "machine": True},
            command_id=None,
        )
    return event.seq


def draft_retranslation_source(
    *,
    roundtable_id: int,
    participant_id: int | None,
    question_id: int,
    language: str,
    command_id: str | None = None,
) -> DraftRevision | CommandResult:
    """What a moderator's "Translate again" translates: the original as it is now, into a language whose
    text is missing or a translation (never over an original written in that language). A command id
    that already took effect (a retry after a lost `ack`) is answered with that first result instead:
    the translation server is not asked again for it."""
    roundtable = Roundtable.objects.get(pk=roundtable_id)
    actor = policy_require(
        participant=participant_get(roundtable=roundtable, participant_id=participant_id),
        action=Action.DRAFT_RETRANSLATE,
    )
    earlier = command_find(actor=actor, command_id=command_id, action=Action.DRAFT_RETRANSLATE)
    if earlier is not None:
        return _retranslation_result(earlier)
    if language not in roundtable.languages:
        raise ServiceError("language_invalid")
    question = question_in(roundtable=roundtable, question_id=question_id)
    latest = drafts_latest(question_id=question.pk)
    source = draft_source(latest)
    if source is None:
        raise ServiceError("draft_version_invalid")
    target = latest.get(language)
    if source.language == language or (target is not None and not target.source_language):
        raise ServiceError("text_language_original")
    return source


def _retranslation_result(event: Event) -> CommandResult:
    return CommandResult(
        seq=event.seq, result={"version": event.data["version"], "language": event.data["language"]}
    )


def draft_retranslation_save(
    *,
    roundtable_id: int,
    participant_id: int | None,
    question_id: int,
    language: str,
    source_language: str,
    source_version: int,
    text: str,
    command_id: str | None = None,
) -> CommandResult:
    """A moderator asked for a new machine translation (of a text the original outgrew): it becomes the
    language's next version, machine-made and not reviewed, even over a person's correction, since they
    asked for it. Refused if the original changed again while the server translated."""
    with transaction.atomic():
        roundtable, actor, earlier = command_begin(
            roundtable_id=roundtable_id,
            participant_id=participant_id,
            action=Action.DRAFT_RETRANSLATE,
            command_id=command_id,
        )
        if earlier is not None:
            return _retranslation_result(earlier)
        question = question_in(roundtable=roundtable, question_id=question_id)
        latest = drafts_latest(question_id=question.pk)
        source = draft_source(latest)
        if source is None or (source.language, source.version) != (source_language, source_version):
            raise ServiceError("translation_source_changed")
        target = latest.get(language)
        if target is not None and not target.source_language:
            raise ServiceError("text_language_original")
        revision = DraftRevision.objects.create(
            question=question,
            language=language,
            version=(target.version if target else 0) + 1,
            text=text,
            machine=True,
            source_language=source_language,
            source_version=source_version,
        )
        event = _draft_changed(
            roundtable=roundtable,
            question=question,
            revision=revision,
            actor=actor,
            audit={"version": revision.version, "language": language, "machine": True},
            command_id=command_id,
        )
    return CommandResult(seq=event.seq, result={"version": revision.version, "language": language})


def _machine_name(language: str) -> str:
    with translation.override(language):
        return _("machine translation")


def draft_review(
    *,
    roundtable_id: int,
    participant_id: int | None,
    question_id: int,
    language: str,
    version: int,
    command_id: str | None = None,
) -> CommandResult:
    """A moderator has read a machine-made version and stands by it: it is marked reviewed, by them, now.
    It names the version read, so a newer translation arriving meanwhile is not reviewed unread. A
    translation the original outgrew (machine-made or a person's) can be reviewed too: the moderator
    says it still says what the original says now, and it is no longer out of date."""
    with transaction.atomic():
        roundtable, actor, earlier = command_begin(
            roundtable_id=roundtable_id,
            participant_id=participant_id,
            action=Action.DRAFT_REVIEW,
            command_id=command_id,
        )
        if earlier is not None:
            return CommandResult(seq=earlier.seq, result={"version": version, "language": language})
        question = question_in(roundtable=roundtable, question_id=question_id)
        if language not in roundtable.languages:
            raise ServiceError("language_invalid")
        latest = draft_latest(question_id=question.pk, language=language)
        if latest is None or latest.version < version:
            raise ServiceError("draft_version_invalid")
        if latest.version != version:
            raise ServiceError("review_stale", version=latest.version)
        source = draft_source(drafts_latest(question_id=question.pk))
        outdated = draft_outdated(latest, source)
        if not latest.machine and not outdated:
            raise ServiceError("review_not_machine")
        result = {"version": version, "language": language}
        if latest.reviewed_at is not None and not outdated:
            return CommandResult(seq=None, result=result)
        if outdated:
            # Reviewed against the original as it is now: the version it answers to moves with it.
            latest.source_language, latest.source_version = source.language, source.version
        latest.reviewed_by = actor
        latest.reviewed_by_name = actor.display_name
        latest.reviewed_at = timezone.now()
        latest.save(
            update_fields=[
                "reviewed_by",
                "reviewed_by_name",
                "reviewed_at",
                "source_language",
                "source_version",
            ]
        )
        event = _draft_changed(
            roundtable=roundtable,
            question=question,
            revision=latest,
            actor=actor,
            audit={"version": version, "language": language, "reviewed": True},
            command_id=command_id,
        )
    return CommandResult(seq=event.seq, result=result)


def commitments_changed(
    *,
    roundtable: Roundtable,
    question: Question,
    actor: Participant | None,
    audit: dict[str, Any],
    command_id: str | None,
) -> CommandResult:
    event = event_record(
        roundtable=roundtable,
        kind="commitments.updated",
        data={"question": question.pk},
        staff={"commitments": question_commitments(question_id=question.pk), "audit": audit},
        actor=actor,
        command_id=command_id,
    )
    return CommandResult(seq=event.seq, result={"question": question.pk, **audit.get("result", {})})


def commitment_add(
    *,
    roundtable_id: int,
    participant_id: int | None,
    question_id: int,
    what: str,
    actor_type: str = "",
    organisation: str = "",
    due: datetime.date | None = None,
    language: str | None = None,
    command_id: str | None = None,
) -> CommandResult:
    """An action item: what is to be done, by which actor type or organisation (one at least), by when,
    written in `language` (the console's language tab; detected when not named)."""
    cleaned_what = text_clean(text=what, max_chars=COMMITMENT_WHAT_MAX_CHARS)
    cleaned_organisation = (
        text_clean(text=organisation, max_chars=COMMITMENT_ORGANISATION_MAX_CHARS)
        if organisation.strip()
        else ""
    )
    with transaction.atomic():
        roundtable, actor, earlier = command_begin(
            roundtable_id=roundtable_id,
            participant_id=participant_id,
            action=Action.COMMITMENT_ADD,
            command_id=command_id,
        )
        if earlier is not None:
            return CommandResult(seq=earlier.seq, result={"question": question_id})
        question = question_in(roundtable=roundtable, question_id=question_id)
        if language is not None and language not in roundtable.languages:
            raise ServiceError("language_invalid")
        # actor_types is deferred by the lock; reading it loads that one field.
        if actor_type and actor_type not in roundtable.actor_type_keys:
            raise ServiceError("actor_type_invalid")
        if not actor_type and not cleaned_organisation:
            raise ServiceError("commitment_responsible_missing")
        commitment = Commitment.objects.create(
            question=question,
            what=cleaned_what,
            language=language
            or language_detect(cleaned_what, candidates=roundtable.languages, default=actor.language),
            actor_type=actor_type,
            organisation=cleaned_organisation,
            due=due,
        )
        translations_mark_due(question=question)
        return commitments_changed(
            roundtable=roundtable,
            question=question,
            actor=actor,
            audit={
                "commitment": commitment.pk,
                "what": cleaned_what,
                "result": {"commitment": commitment.pk},
            },
            command_id=command_id,
        )


def commitment_remove(
    *, roundtable_id: int, participant_id: int | None, commitment_id: int, command_id: str | None = None
) -> CommandResult:
    with transaction.atomic():
        roundtable, actor, earlier = command_begin(
            roundtable_id=roundtable_id,
            participant_id=participant_id,
            action=Action.COMMITMENT_REMOVE,
            command_id=command_id,
        )
        if earlier is not None:
            return CommandResult(seq=earlier.seq, result={})
        commitment = (
            Commitment.objects.select_related("question")
            .filter(question__roundtable=roundtable, pk=commitment_id)
            .first()
        )
        if commitment is None:
            raise ServiceError("commitment_not_found")
        question, what = commitment.question, commitment.what
        commitment.delete()
        return commitments_changed(
            roundtable=roundtable,
            question=question,
            actor=actor,
            audit={"commitment": commitment_id, "what": what},
            command_id=command_id,
        )
