"""Likely duplicates: two proposals saying the same thing, in the same language or across English,
Spanish and French.

How (measured in bench/duplicates.py on bench/data/duplicates-trilingual.jsonl; figures in
docs/performance.md):
1. Each proposal's multilingual sentence vector (embedding.py) is centred per language (as for themes):
   what every text of a question shares (its topic, its language) no longer makes two texts look alike.
   Raw cosine put unrelated proposals of one question at 0.90-0.92, above some translations.
2. The score of a pair is its centred cosine divided by the mean of the two proposals' average cosine
   with their `neighbours` nearest others (the "margin" used to mine translations, Artetxe & Schwenk
   2019): a pair counts if it stands out from each proposal's neighbourhood, whatever the question's
   overall spread, and if its centred cosine reaches a floor (the margin alone inflates when a
   question holds a few scattered texts per language).
3. Two thresholds, chosen on the labelled set's tuning half and reported on its held-out half: from
   `merge_score` the detector is precise enough for the console to offer a merge; from `compare_score`
   it offers only "compare" (both texts and tallies side by side, no one-click merge)."""

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from deliberation.analysis.themes import vectors_center

MERGE = "merge"
COMPARE = "compare"


@dataclass(frozen=True)
class DuplicateSettings:
    neighbours: int = 4
    # How many texts' worth of the overall mean a language's centre starts from (as for themes).
    language_shrinkage: float = 5.0
    # Chosen on the tuning half of the labelled set (bench/duplicates.py): the lowest score whose
    # precision there was >= 0.95 (merge) and >= 0.8 (compare).
    merge_score: float = 1.08
    compare_score: float = 0.7
    # Below this many proposals, per-language centres and neighbourhoods mean nothing: raw cosine, with
    # the thresholds the same bench chose for it (precision >= 0.95 and >= 0.8 on the tuning half).
    # The margin alone inflates in a small, scattered question (a few unrelated texts per language: the
    # neighbourhoods' mean is near zero and any pair "stands out"), so a pair must also reach the centred
    # cosine: for compare, the one the same bench chose for centring alone (precision >= 0.8); for merge,
    # 0.30 (that bench's 0.342 lost the cross-language participatory-budget pair; a new-user walk found
    # three unrelated pairs at 0.23-0.27 in a question of 18 proposals that the margin put at 1.9-2.3).
    merge_cosine_floor: float = 0.3
    compare_cosine_floor: float = 0.228
    min_pool: int = 8
    small_pool_merge_cosine: float = 0.916
    small_pool_compare_cosine: float = 0.89

    def thresholds(self, count: int) -> tuple[float, float]:
        """(merge, compare) thresholds for a pool of `count` proposals."""
        if count < self.min_pool:
            return self.small_pool_merge_cosine, self.small_pool_compare_cosine
        return self.merge_score, self.compare_score


def duplicate_scores(
    vectors: np.ndarray, languages: Sequence[str], settings: DuplicateSettings = DuplicateSettings()
) -> np.ndarray:
    """A symmetric matrix of pair scores (the diagonal is meaningless), to compare with
    `settings.thresholds(len(vectors))`."""
    count = len(vectors)
    if count < settings.min_pool:
        return vectors @ vectors.T
    centred = vectors_center(vectors, languages, shrinkage=settings.language_shrinkage)
    similarity = centred @ centred.T
    others = similarity.copy()
    np.fill_diagonal(others, -np.inf)
    neighbours = min(settings.neighbours, count - 1)
    nearest = -np.sort(-others, axis=1)[:, :neighbours].mean(axis=1)
    scale = np.maximum((nearest[:, None] + nearest[None, :]) / 2, 1e-6)
    margin = similarity / scale
    # Below the merge floor a pair can be offered "compare" at most; below the compare floor, nothing.
    capped = np.minimum(margin, settings.compare_score)
    margin = np.where(similarity >= settings.merge_cosine_floor, margin, capped)
    return np.where(similarity >= settings.compare_cosine_floor, margin, 0.0)


def duplicates_find(
    *,
    vectors: np.ndarray,
    languages: Sequence[str],
    ids: Sequence[int],
    settings: DuplicateSettings = DuplicateSettings(),
    limit: int = 50,
) -> list[tuple[int, int, float, str]]:
    """(id, id, score, "merge" or "compare") for each likely pair, most likely first."""
    if len(vectors) < 2:
        return []
    scores = duplicate_scores(vectors, languages, settings)
    merge_at, compare_at = settings.thresholds(len(vectors))
    rows, columns = np.where(np.triu(scores, k=1) >= compare_at)
    pairs = [
        (
            ids[row],
            ids[column],
            round(float(scores[row, column]), 3),
            MERGE if scores[row, column] >= merge_at else COMPARE,
        )
        for row, column in zip(rows, columns, strict=True)
    ]
    pairs.sort(key=lambda pair: -pair[2])
    return pairs[:limit]
