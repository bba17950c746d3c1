"""Moderators curate themes: rename, lock, merge, split, move a proposal. Each is one `themes.updated`
event carrying the question's whole theme list; every decision is stored on the rows the analysis run
reads (a fixed proposal, a locked theme, a name), so it survives every re-run."""

from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.db.models import Max

from deliberation.errors import ServiceError
from deliberation.models import Proposal, ProposalStatus, Question, Theme
from deliberation.policy import Action
from deliberation.selectors import question_themes
from deliberation.services.analysis import analysis_request, themes_relabel
from deliberation.services.commands import CommandResult, command_begin, question_in, text_clean
from deliberation.services.events import event_record

THEME_NAME_MAX_CHARS = 120


def _curate(
    *,
    roundtable_id: int,
    participant_id: int | None,
    question_id: int,
    action: Action,
    change: Callable[[Question], dict[str, Any]],
    command_id: str | None,
) -> CommandResult:
    with transaction.atomic():
        roundtable, actor, earlier = command_begin(
            roundtable_id=roundtable_id, participant_id=participant_id, action=action, command_id=command_id
        )
        if earlier is not None:
            return CommandResult(seq=earlier.seq, result={"question": question_id})
        question = question_in(roundtable=roundtable, question_id=question_id)
        audit = change(question)
        if themes_relabel(question=question):
            # A new name to translate: the next run asks the server, outside this lock.
            analysis_request(question_id=question.pk)
        event = event_record(
            roundtable=roundtable,
            kind="themes.updated",
            data={
                "question": question.pk,
                "action": action.value,
                "themes": question_themes(question_id=question.pk),
            },
            staff={"audit": audit},
            actor=actor,
            command_id=command_id,
        )
    return CommandResult(seq=event.seq, result={"question": question.pk, **audit.get("result", {})})


def _theme(question: Question, number: int) -> Theme:
    theme = Theme.objects.filter(question=question, number=number).first()
    if theme is None or not theme.proposals.filter(status=ProposalStatus.VISIBLE).exists():
        raise ServiceError("theme_not_found")
    return theme


def _theme_new(question: Question) -> Theme:
    highest = Theme.objects.filter(question=question).aggregate(highest=Max("number"))["highest"] or 0
    return Theme.objects.create(question=question, number=highest + 1)


def _require_unlocked(*themes: Theme) -> None:
    if any(theme.locked for theme in themes):
        raise ServiceError("theme_locked")


def theme_rename(
    *,
    roundtable_id: int,
    participant_id: int | None,
    question_id: int,
    number: int,
    name: str,
    command_id: str | None = None,
) -> CommandResult:
    """Name a theme; an empty name goes back to the automatic labels."""
    cleaned = text_clean(text=name, max_chars=THEME_NAME_MAX_CHARS) if name.strip() else ""

    def change(question: Question) -> dict[str, Any]:
        theme = _theme(question, number)
        before, theme.name = theme.name, cleaned
        theme.save(update_fields=["name"])
        return {"theme": number, "name": cleaned, "was": before}

    return _curate(
        roundtable_id=roundtable_id,
        participant_id=participant_id,
        question_id=question_id,
        action=Action.THEME_RENAME,
        change=change,
        command_id=command_id,
    )


def theme_lock(
    *,
    roundtable_id: int,
    participant_id: int | None,
    question_id: int,
    number: int,
    locked: bool,
    command_id: str | None = None,
) -> CommandResult:
    def change(question: Question) -> dict[str, Any]:
        theme = _theme(question, number)
        theme.locked = locked
        theme.save(update_fields=["locked"])
        return {"theme": number, "locked": locked}

    return _curate(
        roundtable_id=roundtable_id,
        participant_id=participant_id,
        question_id=question_id,
        action=Action.THEME_LOCK,
        change=change,
        command_id=command_id,
    )


def theme_merge(
    *,
    roundtable_id: int,
    participant_id: int | None,
    question_id: int,
    number: int,
    into: int,
    command_id: str | None = None,
) -> CommandResult:
    """Every proposal of theme `number` joins theme `into`, for good."""

    def change(question: Question) -> dict[str, Any]:
        if number == into:
            raise ServiceError("theme_merge_self")
        source, target = _theme(question, number), _theme(question, into)
        _require_unlocked(source, target)
        moved = source.proposals.update(theme=target, theme_fixed=True)
        target.proposals.update(theme_fixed=True)
        return {"theme": number, "into": into, "proposals": moved}

    return _curate(
        roundtable_id=roundtable_id,
        participant_id=participant_id,
        question_id=question_id,
        action=Action.THEME_MERGE,
        change=change,
        command_id=command_id,
    )


def theme_split(
    *,
    roundtable_id: int,
    participant_id: int | None,
    question_id: int,
    number: int,
    proposal_ids: list[int],
    command_id: str | None = None,
) -> CommandResult:
    """The given proposals leave theme `number` for a new theme; both keep their members for good."""

    def change(question: Question) -> dict[str, Any]:
        source = _theme(question, number)
        _require_unlocked(source)
        members = set(source.proposals.filter(status=ProposalStatus.VISIBLE).values_list("pk", flat=True))
        chosen = set(proposal_ids)
        if not chosen or not chosen <= members:
            raise ServiceError("theme_split_invalid")
        if chosen == members:
            raise ServiceError("theme_split_all")
        created = _theme_new(question)
        Proposal.objects.filter(pk__in=chosen).update(theme=created, theme_fixed=True)
        source.proposals.update(theme_fixed=True)
        return {
            "theme": number,
            "new": created.number,
            "proposals": sorted(chosen),
            "result": {"theme": created.number},
        }

    return _curate(
        roundtable_id=roundtable_id,
        participant_id=participant_id,
        question_id=question_id,
        action=Action.THEME_SPLIT,
        change=change,
        command_id=command_id,
    )


def proposal_move(
    *,
    roundtable_id: int,
    participant_id: int | None,
    proposal_id: int,
    number: int | None,
    command_id: str | None = None,
) -> CommandResult:
    """Put a proposal in theme `number` (None: a new theme of its own), for good."""
    proposal = Proposal.objects.filter(question__roundtable_id=roundtable_id, pk=proposal_id).first()
    if proposal is None:
        raise ServiceError("proposal_not_found")

    def change(question: Question) -> dict[str, Any]:
        current = Proposal.objects.select_related("theme").get(pk=proposal_id)
        if current.status != ProposalStatus.VISIBLE:
            raise ServiceError("proposal_hidden")
        target = _theme_new(question) if number is None else _theme(question, number)
        _require_unlocked(*[theme for theme in (current.theme, target) if theme is not None])
        was = current.theme.number if current.theme else None
        current.theme, current.theme_fixed = target, True
        current.save(update_fields=["theme", "theme_fixed"])
        return {
            "proposal": proposal_id,
            "theme": target.number,
            "was": was,
            "result": {"theme": target.number},
        }

    return _curate(
        roundtable_id=roundtable_id,
        participant_id=participant_id,
        question_id=proposal.question_id,
        action=Action.PROPOSAL_MOVE,
        change=change,
        command_id=command_id,
    )
