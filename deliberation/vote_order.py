"""A selector: the order in which one person is offered a question's proposals to vote on, one card at a
time ("Next proposal to vote on" on the phone). It reads and changes nothing.

The order follows how Pol.is routes comments (compdemocracy/polis: `priority-metric` and
`importance-metric` in math/src/polismath/math/conversation.clj, `selectProbabilistically` in
server/src/server.ts), with one change the room asked for:

1. Proposals with few votes come first: those seen by fewer than `FEW_VOTES` people form the first tier,
   so every new proposal gets its first votes quickly (Pol.is only boosts them by a factor).
2. Within each tier the order is a weighted random draw without replacement (Efraimidis-Spirakis keys
   u^(1/w)), weighted by Pol.is's priority:
       importance = (1 - p) * (E + 1) * a,  p = (passes + 1) / (seen + 2),  a = (agrees + 1) / (seen + 2)
       priority   = (importance * (1 + 8 * 2^(-seen / 5)))^2
   where E, the extremity, is how far the proposal lies from the centre of the opinion map (the length
   of its loadings, scaled as Pol.is projects a comment): proposals that tell the opinion groups apart
   weigh more, and few-vote proposals keep Pol.is's boost.
3. The randomness is the person's own: seeded from a keyed hash of the person, the question and the
   proposals' seen counts, so two people get different orders, and the same person asking twice in a row
   (a reload) gets the same one.

While a question's tallies are hidden, agreement is not used (the order would hint at it): every
proposal's importance is the same and only how many people have seen it counts.

Excluded: the person's own proposals, those they voted on, and anything not visible."""

import hashlib
import hmac
import math
import random
from typing import Any

from django.conf import settings
from django.db.models import Count, Q

from deliberation.errors import ServiceError
from deliberation.models import Proposal, ProposalStatus, Question, Roundtable, Vote
from deliberation.policy import Action, policy_require
from deliberation.selectors import participant_get

FEW_VOTES = 5


def _priority(*, agree: int, passes: int, seen: int, extremity: float) -> float:
    p = (passes + 1) / (seen + 2)
    a = (agree + 1) / (seen + 2)
    importance = (1 - p) * (extremity + 1) * a
    return (importance * (1 + 8 * 2 ** (-seen / 5))) ** 2


def _extremities(opinions: dict[str, Any]) -> dict[int, float]:
    placed = opinions.get("proposals") or {}
    scale = math.sqrt(max(len(placed), 1))
    return {int(key): scale * math.hypot(*value.get("position", (0.0, 0.0))) for key, value in placed.items()}


def _seed(*, participant_id: int, question_id: int, seen: list[tuple[int, int]]) -> int:
    message = f"vote-order:{participant_id}:{question_id}:{seen}".encode()
    digest = hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).digest()
    return int.from_bytes(digest[:8], "big")


def vote_order_for(*, roundtable_id: int, participant_id: int | None, question_id: int) -> dict[str, Any]:
    """The ids of the proposals this person has still to vote on in this question, best first, and how
    many that is. `question_not_found` for another roundtable's question."""
    roundtable = Roundtable.objects.get(pk=roundtable_id)
    actor = policy_require(
        participant=participant_get(roundtable=roundtable, participant_id=participant_id),
        action=Action.VOTE_ORDER,
    )
    question = Question.objects.filter(roundtable=roundtable, pk=question_id).first()
    if question is None:
        raise ServiceError("question_not_found")
    if not question.accepts_votes:
        return {"question": question.pk, "order": [], "left": 0}
    rows = list(
        Proposal.objects.filter(question=question, status=ProposalStatus.VISIBLE)
        .exclude(author=actor)
        .exclude(pk__in=Vote.objects.filter(participant=actor).values("proposal"))
        .annotate(
            seen=Count("votes"),
            agrees=Count("votes", filter=Q(votes__choice="agree")),
            passes=Count("votes", filter=Q(votes__choice="pass")),
        )
        .values_list("pk", "seen", "agrees", "passes")
        .order_by("pk")
    )
    public = question.tallies_public
    extremities = _extremities(question.opinions or {}) if public else {}
    generator = random.Random(
        _seed(participant_id=actor.pk, question_id=question.pk, seen=[(pk, seen) for pk, seen, _, _ in rows])
    )
    keyed = []
    for pk, seen, agrees, passes in rows:
        weight = _priority(
            agree=agrees if public else seen // 3,
            passes=passes if public else seen // 3,
            seen=seen,
            extremity=extremities.get(pk, 0.0),
        )
        # Efraimidis-Spirakis: sorting by u^(1/w) descending draws without replacement, weighted by w.
        draw = generator.random() ** (1 / max(weight, 1e-12))
        keyed.append((0 if seen < FEW_VOTES else 1, -draw, pk))
    keyed.sort()
    return {"question": question.pk, "order": [pk for _, _, pk in keyed], "left": len(keyed)}
