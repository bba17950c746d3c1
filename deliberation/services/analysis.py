"""Themes and opinion groups, kept up to date live: a change to a question's proposals or votes asks for
a run; a sweeper in every process claims due runs (one process wins each); the run embeds the new
proposals, clusters, and records one `themes.updated` and one `opinions.updated` event.

The heavy part (vectors, clustering) runs before the roundtable lock is taken; under the lock the run
re-reads moderators' curation (which may have changed meanwhile) and only then assigns proposals, so a
curated decision is never overwritten."""

import datetime
import hashlib
import logging
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from asgiref.sync import async_to_sync
from django.conf import settings
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from deliberation.analysis.breakdowns import make_up_fold
from deliberation.analysis.duplicates import duplicates_find
from deliberation.analysis.embedding import (
    VectorCache,
    proposal_cache_forget,
    proposal_encoder_name,
    proposal_vectors,
    vector_from_bytes,
    vector_to_bytes,
    vectors_whole,
)
from deliberation.analysis.opinions import OpinionPrevious, OpinionSettings, opinion_groups
from deliberation.analysis.themes import (
    LABEL_MAX_CHARS as THEME_LABEL_MAX_CHARS,
)
from deliberation.analysis.themes import (
    ThemeSettings,
    themes_cluster,
    themes_label,
    themes_match,
)
from deliberation.analysis.worker import AnalysisWorker
from deliberation.machine_translation import TranslationUnavailable, translation_backend
from deliberation.models import (
    Event,
    Participant,
    Proposal,
    ProposalStatus,
    Question,
    Registrant,
    Role,
    Roundtable,
    Theme,
    Vote,
)
from deliberation.selectors import balance_view, opinion_key, opinions_for, question_themes
from deliberation.services.events import event_record, roundtable_lock
from deliberation.services.translations import text_fingerprint, translation_clean

logger = logging.getLogger(__name__)

VOTE_VALUES = {"agree": 1, "disagree": -1, "pass": 0}

_worker: AnalysisWorker | None = None


def analysis_compute(function: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
    """Run a pure function of `deliberation.analysis` (vectors, clustering, opinion groups) in this
    process's analysis worker (analysis/worker.py: another process, at a lower priority), or here when
    ROUNDTABLE_ANALYSIS_PROCESS is off. Only what runs before the roundtable lock goes through it: under
    the lock, a worker the machine is starving of CPU would hold up every command."""
    global _worker
    if not settings.ROUNDTABLE_ANALYSIS_PROCESS:
        return function(*args, **kwargs)
    if _worker is None:
        _worker = AnalysisWorker(nice=settings.ROUNDTABLE_ANALYSIS_NICE)
    return _worker.call(function, *args, **kwargs)


# Where a theme name's machine translations are kept: on the proposal it was taken from, next to that
# proposal's own translations (Proposal.translations), under a key no language code can take.
LABEL_TRANSLATIONS = "theme-name"
# Names translated per run at most: a room's first run may name a dozen themes at once, and the runner's
# thread waits on each request.
LABEL_TRANSLATIONS_PER_RUN = 24
# After a server failed, name themes without it for this long instead of waiting on it every run.
LABEL_TRANSLATION_PAUSE_SECONDS = 60.0
_translation_paused_until: dict[str, float] = {}  # server address -> monotonic time


@dataclass(frozen=True)
class LabelWanted:
    """A theme name that a translation server could give in `target`."""

    proposal_id: int
    text: str
    source: str
    target: str


_proposal_encoder: str | None = None


def _proposal_encoder_name() -> str:
    """The encoder name stored with vectors, asked of the worker once per process (it cannot change while
    the process runs): themes_relabel needs it under the roundtable's lock, where a round trip to a busy
    worker, or starting one, would hold up every command of the room."""
    global _proposal_encoder
    if _proposal_encoder is None:
        _proposal_encoder = analysis_compute(proposal_encoder_name)
    return _proposal_encoder


def vector_cache() -> VectorCache | None:
    """The vector cache of ROUNDTABLE_VECTOR_CACHE_DIR, if set. Its names are keyed with a key derived
    from SECRET_KEY, so the folder alone does not tell whether it holds a vector of a guessed text."""
    if not settings.ROUNDTABLE_VECTOR_CACHE_DIR:
        return None
    key = hashlib.blake2b(settings.SECRET_KEY.encode(), person=b"rt-vector-cache").digest()
    return VectorCache(folder=settings.ROUNDTABLE_VECTOR_CACHE_DIR, key=key)


def vector_cache_forget(*, texts: list[str], languages: list[str]) -> None:
    """Take erased proposals' vectors out of the vector cache (a participant's erasure)."""
    cache = vector_cache()
    if cache is not None:
        proposal_cache_forget(cache, texts, languages)


def analysis_request(*, question_id: int) -> None:
    """Schedule a run for this question, unless one is already scheduled (called inside the writing
    transaction of every change to its proposals or votes)."""
    due = timezone.now() + datetime.timedelta(seconds=settings.ROUNDTABLE_ANALYSIS_INTERVAL_SECONDS)
    Question.objects.filter(pk=question_id, analysis_due_at__isnull=True).update(analysis_due_at=due)


def analyses_due() -> list[tuple[int, datetime.datetime]]:
    return list(
        Question.objects.filter(analysis_due_at__lte=timezone.now()).values_list("pk", "analysis_due_at")
    )


def analysis_claim(*, question_id: int, due: datetime.datetime) -> bool:
    """True for exactly one caller per scheduled run, whichever process it is in."""
    return Question.objects.filter(pk=question_id, analysis_due_at=due).update(analysis_due_at=None) == 1


def proposals_embed(*, question_id: int) -> int:
    """Compute and store the vectors the question's visible proposals lack; returns how many."""
    encoder = _proposal_encoder_name()
    missing = list(
        Proposal.objects.filter(question_id=question_id, status=ProposalStatus.VISIBLE)
        .exclude(vector_encoder=encoder)
        .only("pk", "text", "language")
    )
    if not missing:
        return 0
    vectors = analysis_compute(
        proposal_vectors,
        [proposal.text for proposal in missing],
        [p.language for p in missing],
        cache=vector_cache(),
    )
    gone = []
    for proposal, vector in zip(missing, vectors, strict=True):
        # A moderator may correct the text meanwhile: only store the vector of the text it was made from.
        stored = Proposal.objects.filter(pk=proposal.pk, text=proposal.text).update(
            vector=vector_to_bytes(vector), vector_encoder=encoder
        )
        if not stored:
            gone.append(proposal)
    if gone:
        # Erased (or corrected) while this run embedded it: an erasure's own removal from the vector
        # cache may have come before this run's writing there, so its entries go again.
        vector_cache_forget(texts=[p.text for p in gone], languages=[p.language for p in gone])
    return len(missing)


def question_analyse(*, question_id: int) -> list[Event]:
    """One run: vectors, themes, duplicates, opinion groups, balance. Returns the events it recorded."""
    proposals_embed(question_id=question_id)
    theme_settings = ThemeSettings()
    rows = list(
        Proposal.objects.filter(question_id=question_id, status=ProposalStatus.VISIBLE)
        .exclude(theme__locked=True)
        .filter(vector_encoder=_proposal_encoder_name())
        .exclude(vector__isnull=True)
        .order_by("pk")
        .values_list("pk", "text", "language", "vector")
    )
    ids = [row[0] for row in rows]
    vectors = np.vstack([vector_from_bytes(row[3]) for row in rows]) if rows else np.zeros((0, 1))
    clusters = analysis_compute(themes_cluster, vectors, [row[2] for row in rows], theme_settings)
    # The duplicate detector's thresholds were measured on the sentence vectors alone.
    duplicates = analysis_compute(
        duplicates_find, vectors=vectors_whole(vectors), languages=[row[2] for row in rows], ids=ids
    )

    question = Question.objects.select_related("roundtable").get(pk=question_id)
    votes = list(
        Vote.objects.filter(proposal__question_id=question_id, proposal__status=ProposalStatus.VISIBLE)
        .order_by("updated_at", "pk")
        .values_list("participant_id", "proposal_id", "choice")
    )
    stored = question.opinions or {}
    previous = OpinionPrevious(
        components=stored.get("state", {}).get("components"),
        centres=stored.get("state", {}).get("centres"),
        members=stored.get("state", {}).get("members", {}),
    )
    groups = analysis_compute(
        opinion_groups,
        [(person, proposal, VOTE_VALUES[choice]) for person, proposal, choice in votes],
        settings=OpinionSettings(),
        previous=previous,
    )

    # Read before the lock, which every vote batch waits for: four counts over the room's participants,
    # proposals and votes. What commits meanwhile asks for the next run, which counts it.
    balance = roundtable_balance(roundtable=question.roundtable)
    wanted: list[LabelWanted] = []
    with transaction.atomic():
        roundtable = roundtable_lock(roundtable_id=question.roundtable_id)
        events = [
            _themes_apply(
                roundtable=roundtable,
                question=question,
                clusters=dict(zip(ids, clusters, strict=True)),
                texts={row[0]: (row[1], row[2]) for row in rows},
                duplicates=[list(pair) for pair in duplicates],
                wanted=wanted,
            ),
            _opinions_apply(roundtable=roundtable, question=question, groups=groups, balance=balance),
        ]
    # The names' translations, after the lock is let go: the server may take seconds to answer.
    events.append(theme_names_translate(question_id=question_id, wanted=wanted))
    return [event for event in events if event is not None]


def _themes_apply(
    *,
    roundtable: Roundtable,
    question: Question,
    clusters: dict[int, int],
    texts: dict[int, tuple[str, str]],
    duplicates: list[list],
    wanted: list[LabelWanted],
) -> Event | None:
    """Assign the run's clusters and rename the themes; `wanted` gathers the names to translate."""
    before = question_themes(question_id=question.pk)
    # Re-read under the lock: a moderator may have hidden, moved or locked something during the run.
    present = list(
        Proposal.objects.filter(pk__in=clusters, status=ProposalStatus.VISIBLE)
        .select_related("theme")
        .exclude(theme__locked=True)
    )
    previous = {proposal.pk: proposal.theme.number for proposal in present if proposal.theme is not None}
    taken = list(Theme.objects.filter(question=question).values_list("number", flat=True))
    ordered_ids = [proposal.pk for proposal in present]
    numbering = themes_match(
        clusters=[clusters[pk] for pk in ordered_ids], ids=ordered_ids, previous=previous, taken=taken
    )
    themes = {theme.number: theme for theme in Theme.objects.filter(question=question)}
    changed = []
    for proposal in present:
        if proposal.theme_fixed:
            continue
        number = numbering[clusters[proposal.pk]]
        theme = themes.get(number)
        if theme is None:
            theme = themes[number] = Theme.objects.create(question=question, number=number)
        if proposal.theme_id != theme.pk:
            proposal.theme = theme
            changed.append(proposal)
    Proposal.objects.bulk_update(changed, ["theme"])
    wanted += themes_relabel(question=question)
    after = question_themes(question_id=question.pk)
    if after == before and duplicates == question.duplicates:
        return None
    question.duplicates = duplicates
    question.save(update_fields=["duplicates"])
    return event_record(
        roundtable=roundtable,
        kind="themes.updated",
        data={"question": question.pk, "action": "recompute", "themes": after},
        staff={"duplicates": duplicates},
    )


def themes_relabel(*, question: Question) -> list[LabelWanted]:
    """Recompute every theme's automatic names from its members now (themes_label), with the name
    translations already kept; returns the translations a configured server could add (none when no
    server is configured). Never waits on the network: it runs under the roundtable lock."""
    rows = list(
        Proposal.objects.filter(question=question, status=ProposalStatus.VISIBLE, theme__isnull=False)
        .order_by("pk")
        .values_list("pk", "theme_id", "text", "language", "vector", "translations", "vector_encoder")
    )
    wanted_languages = Roundtable.objects.values_list("languages", flat=True).get(pk=question.roundtable_id)
    kept: dict[tuple[str, str], dict[str, str]] = {}
    for _pk, _theme, _text, language, _vector, translations, _encoder in rows:
        names = (translations or {}).get(LABEL_TRANSLATIONS)
        if isinstance(names, dict) and names.get("of"):
            kept[(names["of"], language)] = names

    def translated(text: str, source: str, target: str) -> str | None:
        names = kept.get((text_fingerprint(text), source))
        value = names.get(target) if names else None
        return value if isinstance(value, str) and value else None

    encoder = _proposal_encoder_name()
    named = themes_label(
        texts=[row[2] for row in rows],
        languages=[row[3] for row in rows],
        clusters=[row[1] for row in rows],
        # Vectors made another way (before an upgrade, until the next run) count as not made yet.
        vectors=_vectors_or_zeros([row[4] if row[6] == encoder else None for row in rows]),
        wanted=wanted_languages,
        translate=translated,
    )
    missing: list[LabelWanted] = []
    server = translation_backend() is not None
    for theme in Theme.objects.filter(question=question):
        entry = named.get(theme.pk, {"labels": {}, "machine": {}, "from": []})
        new = entry["labels"]
        if (new, entry["machine"]) != (theme.labels, theme.machine):
            theme.labels, theme.machine = new, entry["machine"]
            theme.save(update_fields=["labels", "machine"])
        if not server or not entry["from"]:
            continue
        lead = rows[entry["from"][0]]
        source = lead[3]
        name = new.get(source, "")
        missing += [
            LabelWanted(proposal_id=lead[0], text=name, source=source, target=language)
            for language in wanted_languages
            if language != source and translated(name, source, language) is None
        ]
    return missing


def _vectors_or_zeros(stored: list[bytes | None]) -> np.ndarray | None:
    """Stored vectors as rows; a row of zeros where a proposal has none yet (not embedded)."""
    width = next((len(vector_from_bytes(vector)) for vector in stored if vector), 0)
    if not width:
        return None
    return np.vstack(
        [
            vector_from_bytes(vector)
            if vector and len(vector_from_bytes(vector)) == width
            else np.zeros(width, dtype=np.float32)
            for vector in stored
        ]
    )


def theme_names_translate(*, question_id: int, wanted: list[LabelWanted]) -> Event | None:
    """Ask the translation server for theme names (outside any transaction: it may take seconds), keep
    them on the proposals they were taken from, then rename the themes with them under the lock: one
    `themes.updated` when a name changed."""
    backend = translation_backend()
    server = settings.ROUNDTABLE_TRANSLATE_URL
    if backend is None or not wanted or time.monotonic() < _translation_paused_until.get(server, 0.0):
        return None
    answers: dict[int, dict[str, Any]] = {}
    for item in wanted[:LABEL_TRANSLATIONS_PER_RUN]:
        try:
            text = async_to_sync(backend.translate)(text=item.text, source=item.source, target=item.target)
            text = translation_clean(text)[: 2 * THEME_LABEL_MAX_CHARS]
        except TranslationUnavailable as error:
            logger.warning("theme names are not translated for now: %s", error)
            _translation_paused_until[server] = time.monotonic() + LABEL_TRANSLATION_PAUSE_SECONDS
            break
        names = answers.setdefault(item.proposal_id, {"of": text_fingerprint(item.text)})
        if names["of"] == text_fingerprint(item.text):
            names[item.target] = text
    if not answers:
        return None
    with transaction.atomic():
        roundtable = roundtable_lock(roundtable_id=Question.objects.get(pk=question_id).roundtable_id)
        question = Question.objects.get(pk=question_id)
        # Locked as translation_keep locks them, so neither loses the other's translations.
        locked = Proposal.objects.select_for_update().filter(pk__in=answers).only("pk", "translations")
        for proposal in locked:
            names = answers[proposal.pk]
            earlier = (proposal.translations or {}).get(LABEL_TRANSLATIONS) or {}
            if earlier.get("of") == names["of"]:
                names = {**earlier, **names}
            proposal.translations = {**(proposal.translations or {}), LABEL_TRANSLATIONS: names}
            proposal.save(update_fields=["translations"])
        before = question_themes(question_id=question.pk)
        themes_relabel(question=question)
        after = question_themes(question_id=question.pk)
        if after == before:
            return None
        return event_record(
            roundtable=roundtable,
            kind="themes.updated",
            data={"question": question.pk, "action": "recompute", "themes": after},
            staff={"duplicates": question.duplicates},
        )


def _opinions_apply(
    *, roundtable: Roundtable, question: Question, groups: dict[str, Any], balance: dict[str, Any]
) -> Event | None:
    actor_types = dict(
        Participant.objects.filter(pk__in=[int(key) for key in groups["people"]]).values_list(
            "pk", "actor_type"
        )
    )
    make_up: dict[int, Counter] = defaultdict(Counter)
    for person, place in groups["people"].items():
        make_up[place["group"]][actor_types.get(int(person), "")] += 1
    # Public: an actor type with one or two people on the map would tell which group they are in.
    folded = make_up_fold(
        {group["id"]: make_up[group["id"]] for group in groups["groups"]},
        minimum=settings.ROUNDTABLE_BREAKDOWN_MIN_GROUP,
    )
    stored = {
        "k": groups["k"],
        "participants_in": groups["participants_in"],
        "groups": [{**group, "actor_types": folded[group["id"]]} for group in groups["groups"]],
        # Anonymous points; each carries a key only its own person is told (in their snapshot's `me`),
        # so one event serves everyone instead of a private copy of the whole map per person.
        "points": sorted(
            [
                *place["position"],
                place["group"],
                opinion_key(participant_id=int(person), question_id=question.pk),
            ]
            for person, place in groups["people"].items()
        ),
        "proposals": {str(key): value for key, value in groups["proposals"].items()},
        "consensus": groups["consensus"],
        "divisive": groups["divisive"],
        "state": {
            "components": groups["components"],
            "centres": groups.get("centres"),
            "members": {str(key): place["group"] for key, place in groups["people"].items()},
        },
    }
    last = (question.opinions or {}).get("state", {}).get("published_at")
    stored["state"]["published_at"] = last
    now = timezone.now()
    only_dots_moved = (
        _opinions_substance(stored) == _opinions_substance(question.opinions)
        and last is not None
        and (now - datetime.datetime.fromisoformat(last)).total_seconds()
        < settings.ROUNDTABLE_OPINIONS_REFRESH_SECONDS
    )
    if stored == question.opinions or only_dots_moved:
        # The map stays as published: redrawn for moving dots at most this often, so a stream of votes
        # does not write the whole map into the event log every few seconds (groups changing show at
        # once). Who takes part changes with nearly every run while people vote; that is a few hundred
        # bytes for the console, not the map again to every screen (docs/performance.md).
        return _balance_apply(roundtable=roundtable, balance=balance)
    stored["state"]["published_at"] = now.isoformat()
    question.opinions = stored
    question.save(update_fields=["opinions"])
    roundtable.balance = balance
    roundtable.save(update_fields=["balance"])
    # While tallies are hidden, the public gets the map without its per-proposal figures; staff all of it.
    # The switches are read again under the lock: a moderator may have hidden the tallies during the run.
    question.refresh_from_db(fields=["tallies_hidden", "state"])
    public = opinions_for(question=question, staff=False)
    every_figure = opinions_for(question=question, staff=True)
    return event_record(
        roundtable=roundtable,
        kind="opinions.updated",
        data={"question": question.pk, "opinions": public, "balance": balance_view(balance=balance)},
        staff={"opinions": every_figure} if every_figure != public else {},
    )


def _balance_apply(*, roundtable: Roundtable, balance: dict[str, Any]) -> Event | None:
    """Record the participation balance alone (`balance.updated`), when it changed and the map did not."""
    if balance == roundtable.balance:
        return None
    roundtable.balance = balance
    roundtable.save(update_fields=["balance"])
    return event_record(
        roundtable=roundtable, kind="balance.updated", data={"balance": balance_view(balance=balance)}
    )


def _opinions_substance(stored: dict[str, Any]) -> Any:
    """What people read in the groups, leaving out where exactly each dot sits on the map."""
    if not stored:
        return None
    return (
        stored.get("k"),
        stored.get("state", {}).get("members"),
        [
            (
                group["id"],
                group["size"],
                group["actor_types"],
                [item["proposal"] for item in group["representative"]],
            )
            for group in stored.get("groups", [])
        ],
        [item["proposal"] for item in stored.get("consensus", [])],
        [item["proposal"] for item in stored.get("divisive", [])],
        {key: (value["kind"], value["group"]) for key, value in stored.get("proposals", {}).items()},
    )


def roundtable_balance(*, roundtable: Roundtable) -> dict[str, Any]:
    """By actor type: registered (or, with no registration list, joined), joined, spoke, voted."""
    participants = Participant.objects.filter(roundtable=roundtable, role=Role.PARTICIPANT)
    joined = Counter(dict(participants.values_list("actor_type").annotate(n=Count("id"))))
    registered = Counter(
        dict(
            Registrant.objects.filter(roundtable=roundtable)
            .exclude(actor_type="")
            .values_list("actor_type")
            .annotate(n=Count("id"))
        )
    )
    spoke = Counter(
        dict(
            participants.filter(proposals__isnull=False)
            .values_list("actor_type")
            .annotate(n=Count("id", distinct=True))
        )
    )
    voted = Counter(
        dict(
            participants.filter(votes__isnull=False)
            .values_list("actor_type")
            .annotate(n=Count("id", distinct=True))
        )
    )
    keys = [actor_type["key"] for actor_type in roundtable.actor_types]
    keys += sorted((set(joined) | set(registered)) - set(keys))
    return {
        "basis": "registered" if registered else "joined",
        "actor_types": [
            {
                "key": key,
                "registered": registered.get(key, 0),
                "joined": joined.get(key, 0),
                "spoke": spoke.get(key, 0),
                "voted": voted.get(key, 0),
            }
            for key in keys
            if key
        ],
    }
