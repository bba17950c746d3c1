"""Read models: what a given person may see of a roundtable, as plain JSON-ready data."""

import datetime
import hashlib
import hmac
import json
from collections import Counter
from typing import Any

from django.conf import settings
from django.db.models import Count, OuterRef, Q, Subquery
from django.utils import timezone

from deliberation.analysis.breakdowns import make_up_fold
from deliberation.analysis.themes import theme_unsorted
from deliberation.document.live import drafting_snapshot
from deliberation.frames import PROTOCOL_VERSION, EventText, event_text
from deliberation.models import (
    STAFF_ROLES,
    Event,
    Flag,
    Participant,
    Proposal,
    ProposalStatus,
    Question,
    Role,
    Roundtable,
    RunOfShow,
    RunOfShowState,
    RunStep,
    RunStepKind,
    StatementResponse,
    Theme,
    Vote,
    VoteChoice,
)

EMPTY_TALLY = {choice: 0 for choice in VoteChoice.values}


def code_could_exist(code: str) -> bool:
    """Whether `code` has the shape of a join code (as roundtable_create allows them). Checked before
    any query: PostgreSQL refuses a NUL byte in a string outright, which would be a 500."""
    return 0 < len(code) <= 32 and code.replace("-", "").replace("_", "").isalnum()


def code_normalise(code: str) -> str:
    """A join code as people type it: "led 111", "LED 111" and " Led111 " are LED111 (spaces of any
    kind dropped, letters upper case); anything else is left for code_could_exist to judge."""
    return "".join(code.split()).upper()


def token_could_exist(token: str) -> bool:
    """Whether `token` has the shape of a link token (secrets.token_urlsafe: letters, digits, - and _)."""
    return 0 < len(token) <= 64 and token.isascii() and token.replace("-", "").replace("_", "").isalnum()


def roundtable_get_by_code(*, code: str) -> Roundtable | None:
    code = code_normalise(code)
    if not code_could_exist(code):
        return None
    return Roundtable.objects.filter(code__iexact=code).first()


def participant_get(*, roundtable: Roundtable, participant_id: int | None) -> Participant | None:
    if participant_id is None:
        return None
    return Participant.objects.filter(roundtable=roundtable, pk=participant_id).first()


def staff_seat(*, roundtable: Roundtable, user: Any) -> Participant | None:
    """The moderator or organizer seat an account holds in a roundtable, if any."""
    return Participant.objects.filter(roundtable=roundtable, user=user, role__in=STAFF_ROLES).first()


def staff_roundtables(*, user: Any) -> list[tuple[Roundtable, str]]:
    seats = Participant.objects.filter(user=user, role__in=STAFF_ROLES).select_related("roundtable")
    return [(seat.roundtable, seat.role) for seat in seats.order_by("-roundtable__created_at")]


def proposal_tally(*, proposal_id: int) -> dict[str, int]:
    counts = Vote.objects.filter(proposal_id=proposal_id).values_list("choice").annotate(n=Count("id"))
    return {**EMPTY_TALLY, **dict(counts)}


def proposal_tallies(*, proposal_ids: list[int]) -> dict[int, dict[str, int]]:
    tallies = {proposal_id: dict(EMPTY_TALLY) for proposal_id in proposal_ids}
    for proposal_id, choice, count in (
        Vote.objects.filter(proposal_id__in=proposal_ids)
        .values_list("proposal_id", "choice")
        .annotate(n=Count("id"))
    ):
        tallies[proposal_id][choice] = count
    return tallies


# Who a view of a proposal is for. The public sees visible proposals only, without the authors' names on
# an anonymous question and without tallies while they are hidden; an author also sees their own
# proposals that are pending, hidden (with the reason) or merged; staff see everything.
PUBLIC, AUTHOR, STAFF = "public", "author", "staff"


def proposal_view(
    *, proposal: Proposal, question: Question, tally: dict[str, int], audience: str, flags: int = 0
) -> dict[str, Any] | None:
    if audience == PUBLIC and proposal.status != ProposalStatus.VISIBLE:
        return None
    if audience == AUTHOR and proposal.status == ProposalStatus.VISIBLE:
        # Once public, an author's proposal looks to them as to everyone.
        audience = PUBLIC
    view: dict[str, Any] = {
        "id": proposal.pk,
        "question": proposal.question_id,
        "text": proposal.text,
        "language": proposal.language,
        "author": {
            # No name on an anonymous question's public screens, nor for a person who asked to be anonymised.
            "name": None
            if (question.anonymous and audience != STAFF) or not proposal.author.display_name
            else proposal.author.display_name,
            "actor_type": proposal.author.actor_type,
        },
        "status": proposal.status,
        "tally": tally if audience == STAFF or question.tallies_public else None,
        "pinned": proposal.pinned,
        "edited": proposal.edited_at is not None,
        "created_at": proposal.created_at.isoformat(),
    }
    if audience != PUBLIC:
        view["hidden_reason"] = proposal.hidden_reason
        view["merged_into"] = proposal.merged_into_id
        view["flagged"] = proposal.flagged
    if audience == STAFF:
        view["flags"] = flags
    return view


def question_public(*, question: Question) -> dict[str, Any]:
    return {
        "id": question.pk,
        "order": question.order,
        "text": question.text,
        "state": question.state,
        "premoderation": question.premoderation,
        "tallies_hidden": question.tallies_hidden,
        "anonymous": question.anonymous,
        "phase_ends_at": question.phase_ends_at.isoformat() if question.phase_ends_at else None,
        "phase_then": question.phase_then or None,
    }


def roundtable_public(*, roundtable: Roundtable) -> dict[str, Any]:
    return {
        "code": roundtable.code,
        "title": roundtable.title,
        "event_name": roundtable.event_name,
        "languages": roundtable.languages,
        "actor_types": roundtable.actor_types,
        "capacity": roundtable.capacity,
        "current_question": roundtable.current_question_id,
    }


def participant_counts(*, roundtable: Roundtable) -> dict[str, Any]:
    """Participation: the people who joined as participants (not moderators or organizers)."""
    by_actor_type = Counter(
        dict(
            Participant.objects.filter(roundtable=roundtable, role=Role.PARTICIPANT)
            .values_list("actor_type")
            .annotate(n=Count("id"))
        )
    )
    return {"total": sum(by_actor_type.values()), "by_actor_type": dict(sorted(by_actor_type.items()))}


def opinion_key(*, participant_id: int, question_id: int) -> str:
    """Which point of a question's opinion map is this person's: told to them alone, meaningless to others,
    and different in each question, so no one can follow one person's dot from question to question."""
    message = f"opinion-map:{question_id}:{participant_id}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()[:12]


def participant_public_self(
    *, participant: Participant | None, question_ids: list[int]
) -> dict[str, Any] | None:
    if participant is None:
        return None
    return {
        "opinion_keys": {
            str(question_id): opinion_key(participant_id=participant.pk, question_id=question_id)
            for question_id in question_ids
        },
        "id": participant.pk,
        "display_name": participant.display_name,
        "actor_type": participant.actor_type,
        "language": participant.language,
        "role": participant.role,
    }


def audience_of(*, viewer: Participant | None, proposal: Proposal) -> str:
    if viewer is not None and viewer.is_staff:
        return STAFF
    if viewer is not None and proposal.author_id == viewer.pk:
        return AUTHOR
    return PUBLIC


def proposal_flag_counts(*, proposal_ids: list[int]) -> dict[int, int]:
    return dict(
        Flag.objects.filter(proposal_id__in=proposal_ids).values_list("proposal_id").annotate(n=Count("id"))
    )


def themes_by_question(*, question_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """Each question's themes with their (visible) proposals, by number: two queries for any number of
    questions."""
    members: dict[int, list[int]] = {}
    for proposal_id, theme_id in (
        Proposal.objects.filter(
            question_id__in=question_ids, status=ProposalStatus.VISIBLE, theme__isnull=False
        )
        .order_by("pk")
        .values_list("pk", "theme_id")
    ):
        members.setdefault(theme_id, []).append(proposal_id)
    themes: dict[int, list[dict[str, Any]]] = {question_id: [] for question_id in question_ids}
    for theme in Theme.objects.filter(question_id__in=question_ids).order_by("question_id", "number"):
        if theme.pk in members:
            themes[theme.question_id].append(
                {
                    "number": theme.number,
                    "name": theme.name or None,
                    "labels": theme.labels,
                    # Which labels a translation server made (language -> the language it translated).
                    "machine": theme.machine,
                    "locked": theme.locked,
                    "proposals": members[theme.pk],
                    "unsorted": theme_unsorted(name=theme.name, size=len(members[theme.pk])),
                }
            )
    return themes


def question_themes(*, question_id: int) -> list[dict[str, Any]]:
    return themes_by_question(question_ids=[question_id])[question_id]


def opinions_public(
    *, stored: dict[str, Any], tallies_shown: bool, placements: bool = True
) -> dict[str, Any] | None:
    """Opinion groups as anyone may see them: no one's group or position is tied to their name. While a
    question's tallies are hidden from its reader, no figure about any proposal either: each is a tally
    in disguise (a group's agree rate is (agree + 1) / (seen + 2), and the group sizes are known), and so
    are the proposals' places on the map, their consensus and the groups' characteristic proposals. The
    groups, their sizes and make-up and the people's dots stay. `placements`: with `proposals`, each
    proposal's place and figures (staff's console); without, what the other screens draw."""
    if not stored or not stored.get("groups"):
        return None
    # `state` is what the next run starts from: who was in which group, by id.
    public = {key: value for key, value in stored.items() if key != "state"}
    if not placements:
        # Every proposal's place and figures on the map: no participant's or projector's screen draws
        # them, and they were most of the bytes of each map sent to every connection (docs/performance.md).
        public.pop("proposals", None)
    # Runs store the make-up folded; folded again here for maps stored before they did.
    make_up = make_up_fold(
        {group["id"]: group.get("actor_types", {}) for group in public["groups"]},
        minimum=settings.ROUNDTABLE_BREAKDOWN_MIN_GROUP,
    )
    public["groups"] = [{**group, "actor_types": make_up[group["id"]]} for group in public["groups"]]
    if not tallies_shown:
        if placements:
            public["proposals"] = {}
        public.update(
            consensus=[],
            divisive=[],
            groups=[{**group, "representative": []} for group in public["groups"]],
        )
    return public


def opinions_for(*, question: Question, staff: bool) -> dict[str, Any] | None:
    """A question's opinion groups as a reader sees them now: staff always with every figure."""
    return opinions_public(
        stored=question.opinions, tallies_shown=staff or question.tallies_public, placements=staff
    )


def balance_view(*, balance: dict[str, Any]) -> dict[str, Any] | None:
    return balance or None


def roundtable_analysis(
    *, roundtable: Roundtable, questions: list[Question], viewer: Participant | None
) -> dict[str, Any]:
    """The snapshot's themes, opinion groups (with the viewer's own place) and balance."""
    themes = themes_by_question(question_ids=[q.pk for q in questions])
    analysis: dict[str, Any] = {
        "themes": [{"question": q.pk, "themes": themes[q.pk]} for q in questions],
        "opinions": [
            {
                "question": q.pk,
                "opinions": opinions_for(question=q, staff=viewer is not None and viewer.is_staff),
            }
            for q in questions
        ],
        "balance": balance_view(balance=roundtable.balance),
    }
    if viewer is not None and viewer.is_staff:
        analysis["duplicates"] = [{"question": q.pk, "pairs": q.duplicates} for q in questions]
    return analysis


def roundtable_snapshot(*, roundtable: Roundtable, viewer: Participant | None) -> dict[str, Any]:
    """Everything `viewer` may see, as of at least `seq`.

    `seq` is read before the rest, so the data may already include some later events; every event
    carries absolute values (a whole proposal, a whole tally), so applying those again is harmless."""
    seq = roundtable_last_seq(roundtable_id=roundtable.pk)
    questions = {question.pk: question for question in roundtable.questions.order_by("order")}
    candidates = Proposal.objects.filter(question__roundtable=roundtable).select_related("author")
    if viewer is None:
        candidates = candidates.filter(status=ProposalStatus.VISIBLE)
    elif not viewer.is_staff:
        candidates = candidates.filter(Q(status=ProposalStatus.VISIBLE) | Q(author=viewer))
    proposals = list(candidates.order_by("id"))
    ids = [proposal.pk for proposal in proposals]
    tallies = proposal_tallies(proposal_ids=ids)
    flags = proposal_flag_counts(proposal_ids=ids) if viewer is not None and viewer.is_staff else {}
    my_votes: dict[int, str] = {}
    my_flags: set[int] = set()
    if viewer is not None:
        my_votes = dict(Vote.objects.filter(participant=viewer).values_list("proposal_id", "choice"))
        my_flags = set(Flag.objects.filter(participant=viewer).values_list("proposal_id", flat=True))
    proposal_rows = []
    for proposal in proposals:
        row = proposal_view(
            proposal=proposal,
            question=questions[proposal.question_id],
            tally=tallies[proposal.pk],
            audience=audience_of(viewer=viewer, proposal=proposal),
            flags=flags.get(proposal.pk, 0),
        )
        if row is None:
            continue
        row["mine"] = viewer is not None and proposal.author_id == viewer.pk
        row["my_vote"] = my_votes.get(proposal.pk)
        row["my_flag"] = proposal.pk in my_flags
        proposal_rows.append(row)
    return {
        "type": "snapshot",
        "protocol": PROTOCOL_VERSION,
        "seq": seq,
        "now": timezone.now().isoformat(),
        "roundtable": roundtable_public(roundtable=roundtable),
        "questions": [question_public(question=q) for q in questions.values()],
        "proposals": proposal_rows,
        "participants": participant_counts(roundtable=roundtable),
        "me": participant_public_self(participant=viewer, question_ids=list(questions)),
        **roundtable_analysis(roundtable=roundtable, questions=list(questions.values()), viewer=viewer),
        **drafting_snapshot(
            roundtable_id=roundtable.pk,
            questions=list(questions.values()),
            viewer_id=viewer.pk if viewer is not None else None,
            staff=viewer is not None and viewer.is_staff,
        ),
        "run_of_show": run_of_show_public(roundtable=roundtable),
    }


def _iso(moment: datetime.datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def run_of_show_steps(*, show: RunOfShow) -> list[RunStep]:
    return list(show.steps.select_related("question").order_by("position"))


def run_of_show_public(*, roundtable: Roundtable) -> dict[str, Any] | None:
    """The run of show as everyone sees it (docs/protocol.md, "Run of show"), or None without a plan.

    Everything in it follows from stored moments (never from the time of reading), so an event written
    at a change and a snapshot read later carry the same value."""
    show = RunOfShow.objects.filter(roundtable_id=roundtable.pk).first()
    if show is None:
        return None
    return run_of_show_value(
        show=show,
        steps=run_of_show_steps(show=show),
        starts_at=roundtable.starts_at,
        ends_at=roundtable.ends_at,
    )


# How far from its planned start a session may be started and still be measured against the planned
# times; further off, the plan's times move with the start. frontend/js/show.js uses the same figure.
RUN_OF_SHOW_REBASE = datetime.timedelta(hours=6)


def run_of_show_value(
    *,
    show: RunOfShow,
    steps: list[RunStep],
    starts_at: datetime.datetime | None,
    ends_at: datetime.datetime | None,
) -> dict[str, Any]:
    if show.started_at and starts_at and abs(show.started_at - starts_at) > RUN_OF_SHOW_REBASE:
        # Started on another day than planned (a rehearsal, a postponed session, a seed replayed): the
        # plan's times move with the start, so the session is measured against its planned length, not
        # against a date long gone.
        shift = show.started_at - starts_at
        starts_at, ends_at = starts_at + shift, ends_at + shift if ends_at else None
    rows = []
    cursor = starts_at
    for step in steps:
        planned_end = cursor + datetime.timedelta(seconds=step.planned_seconds) if cursor else None
        phase_step = step.kind == RunStepKind.PHASE
        rows.append(
            {
                "id": step.pk,
                "kind": step.kind,
                "question": step.question_id,
                "question_order": step.question.order if phase_step else None,
                "phase": step.phase or None,
                "title": {} if phase_step else step.title,
                "planned_seconds": step.planned_seconds,
                "planned_start": _iso(cursor),
                "planned_end": _iso(planned_end),
                "started_at": _iso(step.started_at),
                "ended_at": _iso(step.ended_at),
                "skipped": step.skipped,
                "extended_seconds": step.extended_seconds,
                # Runs that "back" set aside (RunStep.earlier_runs): what happened stays said.
                "earlier_runs": step.earlier_runs,
            }
        )
        cursor = planned_end

    def after_current() -> datetime.timedelta:
        rest = steps[show.current + 1 :] if show.current is not None else []
        return datetime.timedelta(seconds=sum(step.planned_seconds for step in rest))

    total = datetime.timedelta(seconds=sum(step.planned_seconds for step in steps))
    if show.state == RunOfShowState.RUNNING:
        projected = show.step_ends_at + after_current()
    elif show.state == RunOfShowState.PAUSED:
        # As if resumed the moment it was paused: readers add the time paused since (they know `now`).
        projected = show.paused_at + datetime.timedelta(seconds=show.paused_remaining) + after_current()
    elif show.state == RunOfShowState.FINISHED:
        projected = show.finished_at
    else:
        projected = starts_at + total if starts_at else None
    return {
        "state": show.state,
        "planned_start": _iso(starts_at),
        "planned_end": _iso(ends_at),
        "started_at": _iso(show.started_at),
        "current": show.current,
        "step_ends_at": _iso(show.step_ends_at),
        "paused_remaining": show.paused_remaining,
        "projected_end": _iso(projected),
        "fits": projected is None or ends_at is None or projected <= ends_at,
        "steps": rows,
    }


def roundtable_last_seq(*, roundtable_id: int) -> int:
    return Roundtable.objects.values_list("last_seq", flat=True).get(pk=roundtable_id)


def roundtable_snapshot_for(*, roundtable_id: int, participant_id: int | None) -> dict[str, Any]:
    """The snapshot as a connection reads it: from ids, fresh from the database each time."""
    roundtable = Roundtable.objects.get(pk=roundtable_id)
    viewer = participant_get(roundtable=roundtable, participant_id=participant_id)
    return roundtable_snapshot(roundtable=roundtable, viewer=viewer)


def events_since(*, roundtable_id: int, seq: int, limit: int | None = None) -> list[EventText] | None:
    """The events after `seq`, serialised, or None when more than `limit` are missing or `seq` is beyond
    the roundtable's history (the caller then sends a fresh snapshot instead)."""
    limit = settings.ROUNDTABLE_REPLAY_LIMIT if limit is None else limit
    if seq > roundtable_last_seq(roundtable_id=roundtable_id):
        return None
    events = events_between(roundtable_id=roundtable_id, after=seq, upto=seq + limit + 1)
    return None if len(events) > limit else events


def events_between(*, roundtable_id: int, after: int, upto: int) -> list[EventText]:
    """The events with after < seq <= upto, serialised."""
    # Not the chain entry: replays never send it, and decoding it would cost every catch-up.
    rows = (
        Event.objects.filter(roundtable_id=roundtable_id, seq__gt=after, seq__lte=upto)
        .defer("chain")
        .order_by("seq")
    )
    return [event_text(event) for event in rows]


# Every kind an organizer's audit log lists: whatever staff did, what flags and countdowns did, and
# organizers' own actions (services/audit.py).
AUDITED_KINDS = (
    "question.updated",
    "roundtable.updated",
    "proposal.updated",
    "proposal.merged",
    "themes.updated",
    "draft.updated",
    "commitments.updated",
    "statement.updated",
    "publication.created",
    "invitation.revoked",
    "invitation.created",
    "registration.updated",
    "roundtable.configured",
    "roundtable.created",
    "run_of_show.updated",
)


def audit_action(event: Event) -> str:
    """An entry's action code: the event's `action`, or for kinds that carry none, one made from the
    kind ("draft.save", "commitment.add", "publication.create", "statement.put"...)."""
    # Texts in other languages (issue 18) ride on the drafting events: named by the command that wrote
    # them, or as the translation pass's when no one did.
    if event.command in {"draft.review", "translation.save", "translation.review"}:
        return event.command
    if event.staff.get("audit", {}).get("machine"):
        return "translation.machine"
    action = event.data.get("action")
    if event.kind == "run_of_show.updated":
        # Its public data is the whole run of show; what was done is in the audit layer.
        return event.staff.get("audit", {}).get("action", "run_of_show.advance")
    if event.kind == "statement.updated":
        return f"statement.{action}"
    if action:
        return action
    if event.kind == "commitments.updated":
        return "commitment.add" if "result" in event.staff.get("audit", {}) else "commitment.remove"
    return {"draft.updated": "draft.save", "publication.created": "publication.create"}.get(
        event.kind, event.kind
    )


def audit_log(
    *,
    roundtable: Roundtable,
    limit: int | None = None,
    action: str = "",
    actor_id: int | None = None,
) -> list[dict[str, Any]]:
    """Moderation, steering and organizing, newest first: when, who (name, role, account email), what,
    on what. `action` and `actor_id` keep only the entries of that action, or of that person."""
    events = (
        Event.objects.filter(roundtable=roundtable, kind__in=AUDITED_KINDS)
        .exclude(kind="proposal.updated", data__action="submit")
        # Automatic theme runs are not anyone's decision.
        .exclude(kind="themes.updated", actor__isnull=True)
        # Answers to a room check are participation, like votes, not decisions.
        .exclude(kind="statement.updated", data__action="respond")
        .select_related("actor", "actor__user")
        .order_by("-seq")
    )
    if actor_id is not None:
        events = events.filter(actor_id=actor_id)
    if limit is not None and not action:
        events = events[:limit]
    questions = dict(roundtable.questions.values_list("pk", "order"))
    rows = []
    for event in events.iterator():
        code = audit_action(event)
        if action and code != action:
            continue
        actor = event.actor
        question_id = event.data.get("question", {}).get("id") if event.kind == "question.updated" else None
        rows.append(
            {
                "seq": event.seq,
                "at": event.created_at,
                "actor": actor.display_name if actor else None,
                "actor_id": actor.pk if actor else None,
                "role": actor.role if actor else None,
                "email": actor.user.email if actor and actor.user else "",
                "action": code,
                "question": questions.get(question_id or event.data.get("question"))
                if event.kind != "roundtable.updated"
                else questions.get(event.data.get("current_question")),
                "proposal": event.data.get("id") if event.kind.startswith("proposal.") else None,
                "details": event.staff.get("audit", {}),
                "details_text": audit_details_text(event.staff.get("audit", {})),
            }
        )
        if limit is not None and len(rows) >= limit:
            break
    return rows


def audit_people(*, roundtable: Roundtable) -> list[Participant]:
    """Everyone with an entry in the audit log, for its filter: staff, and participants who reported."""
    ids = (
        Event.objects.filter(roundtable=roundtable, kind__in=AUDITED_KINDS, actor__isnull=False)
        .values_list("actor_id", flat=True)
        .distinct()
    )
    return list(Participant.objects.filter(pk__in=ids).order_by("role", "display_name"))


def audit_details_text(details: dict[str, Any]) -> str:
    """`reason: "Rude"; was: visible`: what an audit entry changed, as codes and quoted texts."""
    parts = []
    for key, value in details.items():
        if value is None:
            continue
        shown = (
            value
            if isinstance(value, str) and value.isidentifier()
            else json.dumps(value, ensure_ascii=False)
        )
        parts.append(f"{key}: {shown}")
    return "; ".join(parts)


def participant_contributions(*, participant: Participant) -> dict[str, Any]:
    """Everything a person contributed to a roundtable, for them to download."""
    roundtable = participant.roundtable
    proposals = Proposal.objects.filter(author=participant).select_related("question").order_by("id")
    votes = Vote.objects.filter(participant=participant).select_related("proposal").order_by("proposal_id")
    flags = Flag.objects.filter(participant=participant).order_by("proposal_id")
    answers = (
        StatementResponse.objects.filter(participant=participant)
        .select_related("statement__question")
        .order_by("statement__question__order", "statement__number")
    )
    return {
        "roundtable": {"code": roundtable.code, "title": roundtable.title},
        "you": {
            "display_name": participant.display_name,
            "actor_type": participant.actor_type,
            "language": participant.language,
            "joined_at": participant.joined_at.isoformat(),
        },
        "proposals": [
            {
                "id": proposal.pk,
                "question": proposal.question.order,
                "text": proposal.text,
                "language": proposal.language,
                "status": proposal.status,
                "hidden_reason": proposal.hidden_reason,
                "created_at": proposal.created_at.isoformat(),
            }
            for proposal in proposals
        ],
        "votes": [
            {"proposal": vote.proposal_id, "proposal_text": vote.proposal.text, "choice": vote.choice}
            for vote in votes
        ],
        "reports": [{"proposal": flag.proposal_id, "at": flag.created_at.isoformat()} for flag in flags],
        "room_checks": [
            {
                "question": answer.statement.question.order,
                "check": answer.statement.number,
                "statement": answer.statement.text,
                "choice": answer.choice,
                "at": answer.updated_at.isoformat(),
            }
            for answer in answers
        ],
    }


def publication_gaps(*, roundtable: Roundtable, language: str) -> dict[str, list[dict[str, Any]]]:
    """What a document published now would lack, for the organizer to see before they confirm: the
    questions whose conclusions are still empty, and the room checks still open (their result would be
    frozen half-way)."""
    from deliberation.models import DraftRevision, Statement, StatementState
    from deliberation.texts import text_in_language

    questions = list(roundtable.questions.order_by("order"))
    # Each question's latest revision in each language only, not every autosave's text; a question has
    # conclusions when any language has some.
    newest = (
        DraftRevision.objects.filter(question=OuterRef("question"), language=OuterRef("language"))
        .order_by("-version")
        .values("version")
    )
    latest: dict[int, str] = {}
    for question_id, text in DraftRevision.objects.filter(
        question__roundtable=roundtable, version=Subquery(newest[:1])
    ).values_list("question_id", "text"):
        latest[question_id] = latest.get(question_id, "") + text
    open_checks = (
        Statement.objects.filter(question__roundtable=roundtable, state=StatementState.OPEN)
        .select_related("question")
        .order_by("question__order", "number")
    )
    return {
        "without_conclusions": [
            {"order": question.order, "text": text_in_language(question.text, language, roundtable.languages)}
            for question in questions
            if not latest.get(question.pk, "").strip()
        ],
        "open_checks": [
            {"question": check.question.order, "number": check.number, "text": check.text}
            for check in open_checks
        ],
    }


# --- Merge preview (issue 15): what a merge would do, read before it is confirmed. -----------------------


def merge_require(*, merged: Proposal, survivor: Proposal) -> None:
    """The merge's rules, for `proposal_merge` and its preview alike: two proposals of one question, the
    merged one not merged already, the survivor visible."""
    from deliberation.errors import ServiceError

    if merged.pk == survivor.pk or merged.question_id != survivor.question_id:
        raise ServiceError("merge_invalid")
    if merged.status not in (ProposalStatus.VISIBLE, ProposalStatus.PENDING, ProposalStatus.HIDDEN):
        raise ServiceError("proposal_status_conflict")
    if survivor.status != ProposalStatus.VISIBLE:
        raise ServiceError("proposal_status_conflict")


def merge_preview(*, roundtable: Roundtable, proposal_id: int, into_id: int) -> dict[str, Any]:
    """Both proposals as staff see them, their tallies, and what `proposal_merge` would do now: the votes
    that move to the survivor, the votes dropped (a person who voted on both keeps their vote on the
    survivor; their vote on the merged proposal is dropped) and the survivor's tally after. Raises the
    errors the merge itself would raise."""
    from deliberation.errors import ServiceError

    found = {
        proposal.pk: proposal
        for proposal in Proposal.objects.select_related("author").filter(
            question__roundtable=roundtable, pk__in=[proposal_id, into_id]
        )
    }
    merged, survivor = found.get(proposal_id), found.get(into_id)
    if merged is None or survivor is None:
        raise ServiceError("proposal_not_found")
    merge_require(merged=merged, survivor=survivor)
    votes = {merged.pk: {}, survivor.pk: {}}
    for proposal, person, choice in Vote.objects.filter(proposal__in=[merged, survivor]).values_list(
        "proposal_id", "participant_id", "choice"
    ):
        votes[proposal][person] = choice
    on_both = votes[merged.pk].keys() & votes[survivor.pk].keys()
    moving = [choice for person, choice in votes[merged.pk].items() if person not in on_both]
    survivor_tally = {**EMPTY_TALLY, **Counter(votes[survivor.pk].values())}
    after = dict(survivor_tally)
    for choice in moving:
        after[choice] += 1

    def view(proposal: Proposal) -> dict[str, Any]:
        return {
            "id": proposal.pk,
            "text": proposal.text,
            "language": proposal.language,
            "status": proposal.status,
            "author": proposal.author.display_name if proposal.author else None,
            "tally": {**EMPTY_TALLY, **Counter(votes[proposal.pk].values())},
        }

    return {
        "question": merged.question_id,
        "merged": view(merged),
        "survivor": view(survivor),
        "votes_moved": len(moving),
        "votes_dropped": len(on_both),
        # Of the people who voted on both, how many voted differently (their vote on the merged one is lost).
        "votes_dropped_differing": sum(
            1 for person in on_both if votes[merged.pk][person] != votes[survivor.pk][person]
        ),
        "survivor_after": after,
        "rule": "survivor_vote_stands",
    }
