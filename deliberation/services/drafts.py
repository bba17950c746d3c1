"""Moderators write each question's conclusions together. A save names the version it started from:
saved on the latest, it becomes the next version; saved on an older one, the changes made since are
merged in line by line (merge3), and where both changed the same lines the save is refused with the
text marked for the moderator to resolve, so no one's words are overwritten. Commitments (what, who,
by when) belong to the conclusions and are kept beside them."""

import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from merge3 import Merge3

from deliberation.document.build import draft_latest
from deliberation.document.live import draft_view, question_commitments
from deliberation.document.markdown import conflict_markers_present
from deliberation.errors import ServiceError
from deliberation.models import Commitment, DraftRevision, Participant, Question, Roundtable
from deliberation.policy import Action
from deliberation.services.commands import (
    CommandResult,
    command_begin,
    invisible_strip,
    question_in,
    text_clean,
)
from deliberation.services.events import event_record

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


def draft_save(
    *,
    roundtable_id: int,
    participant_id: int | None,
    question_id: int,
    base_version: int,
    text: str,
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
            return CommandResult(seq=earlier.seq, result={"version": earlier.data["version"]})
        question = question_in(roundtable=roundtable, question_id=question_id)
        cleaned = draft_text_clean(text=text)
        if conflict_markers_present(cleaned):
            raise ServiceError("draft_markers")
        latest = draft_latest(question_id=question.pk)
        current = latest.version if latest else 0
        if base_version > current:
            raise ServiceError("draft_version_invalid")
        merged = False
        if base_version != current:
            base = (
                DraftRevision.objects.get(question=question, version=base_version).text
                if base_version
                else ""
            )
            author = latest.author.display_name if latest.author else "?"
            with translation.override(actor.language):
                their_label = _("version %(version)s by %(author)s") % {"version": current, "author": author}
            result, conflicted = _merge(
                base=base, theirs=latest.text, mine=cleaned, their_label=their_label, language=actor.language
            )
            if conflicted:
                raise ServiceError("draft_conflict", version=current, author=author, merged=result)
            cleaned, merged = result, True
        if latest is not None and cleaned == latest.text:
            return CommandResult(seq=None, result={"version": current, "merged": merged})
        revision = DraftRevision.objects.create(
            question=question, version=current + 1, text=cleaned, author=actor, merged=merged
        )
        event = event_record(
            roundtable=roundtable,
            kind="draft.updated",
            data={"question": question.pk, "version": revision.version},
            staff={
                "draft": draft_view(question=question, revision=revision),
                "audit": {"version": revision.version, "merged": merged, "characters": len(cleaned)},
            },
            actor=actor,
            command_id=command_id,
        )
    return CommandResult(seq=event.seq, result={"version": revision.version, "merged": merged})


def _commitments_changed(
    *,
    roundtable: Roundtable,
    question: Question,
    actor: Participant,
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
    command_id: str | None = None,
) -> CommandResult:
    """An action item: what is to be done, by which actor type or organisation (one at least), by when."""
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
        # actor_types is deferred by the lock; reading it loads that one field.
        if actor_type and actor_type not in roundtable.actor_type_keys:
            raise ServiceError("actor_type_invalid")
        if not actor_type and not cleaned_organisation:
            raise ServiceError("commitment_responsible_missing")
        commitment = Commitment.objects.create(
            question=question,
            what=cleaned_what,
            actor_type=actor_type,
            organisation=cleaned_organisation,
            due=due,
        )
        return _commitments_changed(
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
        return _commitments_changed(
            roundtable=roundtable,
            question=question,
            actor=actor,
            audit={"commitment": commitment_id, "what": what},
            command_id=command_id,
        )
