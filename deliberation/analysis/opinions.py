"""Opinion groups: people grouped by how they vote, as Pol.is computes them, made steadier.

The method follows Pol.is (compdemocracy/polis, math/src/polismath/math/: pca.clj, clusters.clj,
repness.clj):
- votes are +1 agree, -1 disagree, 0 pass; a person enters once they have voted on
  min(7, number of proposals) proposals;
- missing votes are filled with the proposal's mean, two principal components are kept, and each person
  is projected and scaled by sqrt(proposals / their votes), so people who voted little are not all
  drawn to the centre;
- k-means for k = 2..5, k chosen by silhouette;
- a proposal represents a group when its members agree (or disagree) with it more than the rest of the
  room, by two one-sided z-tests at 90 % with pseudo-counts;
- group-informed consensus: the product over groups of (agrees + 1) / (seen + 2).

Two complaints from Pol.is's users are answered here. Groups were unstable between runs: the components'
signs are aligned with the previous run, k-means starts from the previous groups' centres, the previous
k is kept unless another beats its silhouette by a margin, and groups keep their letters by matching
members to the previous run's. People were grouped but proposals were not: each proposal is also placed
on the same map (its loadings) and classed as consensus, divisive, or leaning to a group."""

import argparse
import csv
import json
import math
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

# scikit-learn is imported in the functions that use it (1.3 s to import beyond SciPy): opinion groups
# are computed in the analysis worker process, and every web process and manage.py command imports
# this module without running it.
import numpy as np

AGREE, DISAGREE, PASS = 1, -1, 0
Z_90 = 1.2816


@dataclass(frozen=True)
class OpinionSettings:
    min_votes: int = 7
    min_participants: int = 4
    max_groups: int = 5
    # A different k must beat the previous run's k by this much silhouette to replace it.
    k_hysteresis: float = 0.05
    seed: int = 0
    representative_per_group: int = 5
    consensus_count: int = 5
    divisive_count: int = 5

    def as_dict(self) -> dict:
        return {
            **asdict(self),
            "method": "Pol.is: mean-imputed PCA(2), k-means k=2..5 by silhouette, repness z-tests",
        }


@dataclass
class OpinionPrevious:
    """What the last run left, to keep the next one steady."""

    components: list[list[float]] | None = None
    centres: list[list[float]] | None = None
    members: dict[str, int] = field(default_factory=dict)  # person key -> group index


def votes_matrix(
    votes: Iterable[tuple[Any, Any, int]],
) -> tuple[list[Any], list[Any], np.ndarray]:
    """(people, proposals, matrix) with NaN where a person did not vote; the latest vote counts."""
    latest: dict[tuple[Any, Any], int] = {}
    for person, proposal, value in votes:
        latest[(person, proposal)] = value
    people = sorted({person for person, _ in latest}, key=str)
    proposals = sorted({proposal for _, proposal in latest}, key=str)
    person_index = {person: index for index, person in enumerate(people)}
    proposal_index = {proposal: index for index, proposal in enumerate(proposals)}
    matrix = np.full((len(people), len(proposals)), np.nan)
    for (person, proposal), value in latest.items():
        matrix[person_index[person], proposal_index[proposal]] = value
    return people, proposals, matrix


def _pca(filled: np.ndarray, previous: list[list[float]] | None) -> tuple[np.ndarray, np.ndarray]:
    centred = filled - filled.mean(axis=0)
    _, _, vt = np.linalg.svd(centred, full_matrices=False)
    components = vt[:2]
    if components.shape[0] < 2:
        components = np.vstack([components, np.zeros((2 - components.shape[0], filled.shape[1]))])
    if previous is not None and len(previous) == 2 and len(previous[0]) == filled.shape[1]:
        # An SVD's signs are arbitrary: keep the map facing the way it faced last time.
        for index in range(2):
            if float(np.dot(components[index], previous[index])) < 0:
                components[index] = -components[index]
    else:
        for index in range(2):
            largest = int(np.argmax(np.abs(components[index])))
            if components[index][largest] < 0:
                components[index] = -components[index]
    return centred @ components.T, components


def _kmeans(points: np.ndarray, k: int, seed: int, centres: list[list[float]] | None) -> np.ndarray:
    from sklearn.cluster import KMeans

    if centres is not None and len(centres) == k:
        model = KMeans(n_clusters=k, init=np.asarray(centres), n_init=1, random_state=seed)
    else:
        model = KMeans(n_clusters=k, n_init=10, random_state=seed)
    return model.fit_predict(points)


def opinion_groups(
    votes: Iterable[tuple[Any, Any, int]],
    *,
    settings: OpinionSettings | None = None,
    previous: OpinionPrevious | None = None,
) -> dict[str, Any]:
    """Groups, positions and the proposals that characterise them. Keys of people and proposals are
    returned as given (strings or ints)."""
    settings = settings or OpinionSettings()
    previous = previous or OpinionPrevious()
    people, proposals, matrix = votes_matrix(votes)
    empty = {
        "groups": [],
        "people": {},
        "proposals": {},
        "consensus": [],
        "divisive": [],
        "k": 0,
        "components": None,
        "participants_in": 0,
    }
    if not proposals:
        return empty
    voted = (~np.isnan(matrix)).sum(axis=1)
    needed = min(settings.min_votes, len(proposals))
    entered = voted >= needed
    if entered.sum() < settings.min_participants or len(proposals) < 2:
        return {**empty, "participants_in": int(entered.sum())}
    subset = matrix[entered]
    seen = ~np.isnan(subset)
    column_means = np.where(seen, subset, 0).sum(axis=0) / np.maximum(seen.sum(axis=0), 1)
    filled = np.where(np.isnan(subset), column_means, subset)
    points, components = _pca(filled, previous.components)
    scale = np.sqrt(len(proposals) / np.maximum(voted[entered], 1))
    points = points * scale[:, None]
    keys = [people[index] for index in np.flatnonzero(entered)]

    candidates = []
    distinct = len({tuple(np.round(point, 6)) for point in points})
    for k in range(2, min(settings.max_groups, distinct, len(points) - 1) + 1):
        labels = _kmeans(
            points,
            k,
            settings.seed,
            previous.centres if previous.centres and len(previous.centres) == k else None,
        )
        if len(set(labels)) < 2:
            continue
        from sklearn.metrics import silhouette_score

        candidates.append((float(silhouette_score(points, labels)), k, labels))
    if not candidates:
        labels = np.zeros(len(points), dtype=int)
        k = 1
    else:
        best = max(candidates, key=lambda item: item[0])
        kept = next((item for item in candidates if item[1] == len(previous.centres or [])), None)
        chosen = kept if kept is not None and best[0] - kept[0] < settings.k_hysteresis else best
        _, k, labels = chosen
    labels = _letters_keep(labels, keys, previous.members, k)
    centres = [points[labels == group].mean(axis=0).tolist() for group in range(k)]

    stats = _proposal_stats(matrix[entered], labels, k)
    groups = []
    for group in range(k):
        members = int((labels == group).sum())
        repness = _representative(stats, group, k, settings.representative_per_group, proposals)
        groups.append(
            {
                "id": group,
                "size": members,
                "centre": [round(v, 4) for v in centres[group]],
                "representative": repness,
            }
        )
    consensus_scores = np.prod((stats["agree"] + 1) / (stats["seen"] + 2), axis=0)
    disagree_consensus = np.prod((stats["disagree"] + 1) / (stats["seen"] + 2), axis=0)
    agree_rates = (stats["agree"] + 1) / (stats["seen"] + 2)
    spread = agree_rates.max(axis=0) - agree_rates.min(axis=0)
    order = np.argsort(-consensus_scores, kind="stable")
    consensus = [
        {"proposal": proposals[index], "score": round(float(consensus_scores[index]), 4)}
        for index in order[: settings.consensus_count]
        if all(agree_rates[group, index] > 0.5 for group in range(k))
    ]
    divisive_order = np.argsort(-spread, kind="stable")
    divisive = [
        {"proposal": proposals[index], "spread": round(float(spread[index]), 4)}
        for index in divisive_order[: settings.divisive_count]
        if k > 1 and spread[index] >= 0.3
    ]
    loadings = components.T
    proposal_view = {}
    consensus_ids = {item["proposal"] for item in consensus}
    divisive_ids = {item["proposal"] for item in divisive}
    for index, proposal in enumerate(proposals):
        leaning = int(np.argmax(agree_rates[:, index])) if k > 1 else None
        kind = (
            "consensus"
            if proposal in consensus_ids
            else "divisive"
            if proposal in divisive_ids
            else "leaning"
        )
        proposal_view[proposal] = {
            "position": [round(float(loadings[index][0]), 4), round(float(loadings[index][1]), 4)],
            "kind": kind,
            "group": leaning,
            "agree_by_group": [round(float(agree_rates[group, index]), 3) for group in range(k)],
            "consensus": round(float(consensus_scores[index]), 4),
            "disagreement_consensus": round(float(disagree_consensus[index]), 4),
        }
    return {
        "k": k,
        "participants_in": len(keys),
        "groups": groups,
        "people": {
            key: {
                "group": int(label),
                "position": [round(float(points[i][0]), 4), round(float(points[i][1]), 4)],
            }
            for i, (key, label) in enumerate(zip(keys, labels, strict=True))
        },
        "proposals": proposal_view,
        "consensus": consensus,
        "divisive": divisive,
        "components": components.tolist(),
        "centres": centres,
    }


def _letters_keep(labels: np.ndarray, keys: list[Any], previous: dict[str, int], k: int) -> np.ndarray:
    """Renumber groups so each keeps the number of the previous group it shares most members with; on a
    first run, number them by size, largest first."""
    if not previous:
        sizes = Counter(labels.tolist())
        order = sorted(range(k), key=lambda group: (-sizes[group], group))
        mapping = {group: rank for rank, group in enumerate(order)}
    else:
        # Square, so the assignment is a whole permutation of 0..k-1: a group that shares nobody with the
        # previous run gets a number no matched group took.
        overlap = np.zeros((k, k))
        for key, label in zip(keys, labels, strict=True):
            earlier = previous.get(str(key))
            if earlier is not None and earlier < k:
                overlap[label, earlier] += 1
        from scipy.optimize import linear_sum_assignment

        rows, columns = linear_sum_assignment(-overlap)
        mapping = dict(zip(rows.tolist(), columns.tolist(), strict=True))
    return np.array([mapping[int(label)] for label in labels])


def _proposal_stats(matrix: np.ndarray, labels: np.ndarray, k: int) -> dict[str, np.ndarray]:
    agree = np.zeros((k, matrix.shape[1]))
    disagree = np.zeros((k, matrix.shape[1]))
    seen = np.zeros((k, matrix.shape[1]))
    for group in range(k):
        rows = matrix[labels == group]
        agree[group] = (rows == AGREE).sum(axis=0)
        disagree[group] = (rows == DISAGREE).sum(axis=0)
        seen[group] = (~np.isnan(rows)).sum(axis=0)
    return {"agree": agree, "disagree": disagree, "seen": seen}


def _z_one_proportion(successes: float, trials: float) -> float:
    # Is the (pseudo-counted) proportion above one half?
    p = (successes + 1) / (trials + 2)
    return 2 * math.sqrt(trials) * (p - 0.5) if trials > 0 else 0.0


def _z_two_proportions(s1: float, n1: float, s2: float, n2: float) -> float:
    p1, p2 = (s1 + 1) / (n1 + 2), (s2 + 1) / (n2 + 2)
    pooled = (s1 + s2 + 1) / (n1 + n2 + 2)
    denominator = math.sqrt(pooled * (1 - pooled) * (1 / (n1 + 1) + 1 / (n2 + 1)))
    return (p1 - p2) / denominator if denominator > 0 else 0.0


def _representative(
    stats: dict[str, np.ndarray], group: int, k: int, count: int, proposals: list[Any]
) -> list[dict]:
    chosen = []
    others = [other for other in range(k) if other != group]
    for index in range(stats["agree"].shape[1]):
        seen = stats["seen"][group, index]
        rest_seen = sum(stats["seen"][other, index] for other in others)
        for direction in ("agree", "disagree"):
            hits = stats[direction][group, index]
            rest_hits = sum(stats[direction][other, index] for other in others)
            probability = (hits + 1) / (seen + 2)
            rest_probability = (rest_hits + 1) / (rest_seen + 2)
            z_self = _z_one_proportion(hits, seen)
            z_rest = _z_two_proportions(hits, seen, rest_hits, rest_seen) if others else z_self
            if probability > 0.5 and z_self > Z_90 and z_rest > Z_90:
                ratio = probability / rest_probability
                chosen.append(
                    {
                        "proposal": proposals[index],
                        "direction": direction,
                        "probability": round(probability, 3),
                        "ratio": round(ratio, 3),
                        "score": round(ratio * probability, 4),
                    }
                )
    chosen.sort(key=lambda item: -item["score"])
    return chosen[:count]


def polis_votes_read(path: str) -> list[tuple[str, str, int]]:
    """A Polis export's votes.csv (timestamp,datetime,comment-id,voter-id,vote), in time order."""
    with open(path, encoding="utf-8", newline="") as stream:
        rows = list(csv.DictReader(stream))
    missing = {"timestamp", "comment-id", "voter-id", "vote"} - set(rows[0] if rows else {})
    if missing:
        raise SystemExit(f"{path}: not a Polis votes export (missing columns: {', '.join(sorted(missing))})")
    rows.sort(key=lambda row: int(row["timestamp"] or 0))
    return [(row["voter-id"], row["comment-id"], int(row["vote"])) for row in rows]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m deliberation.analysis.opinions",
        description="Opinion groups from a vote stream in Polis's export format; prints JSON.",
    )
    parser.add_argument("votes", help="votes.csv: timestamp,datetime,comment-id,voter-id,vote")
    arguments = parser.parse_args(argv)
    result = opinion_groups(polis_votes_read(arguments.votes))
    by_group: dict[int, list[str]] = defaultdict(list)
    for person, place in result["people"].items():
        by_group[place["group"]].append(person)
    output = {
        "settings": OpinionSettings().as_dict(),
        "participants": {person: place["group"] for person, place in result["people"].items()},
        "groups": [{**group, "members": len(by_group[group["id"]])} for group in result["groups"]],
        "consensus": result["consensus"],
        "divisive": result["divisive"],
    }
    json.dump(output, sys.stdout, ensure_ascii=False, indent=1)
    print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
