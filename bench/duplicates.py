"""Likely duplicates: precision and recall on a labelled trilingual set. Prints one JSON line per method,
then one for the detector as shipped (deliberation/analysis/duplicates.py).

    python -m bench.duplicates

The set (bench/data/duplicates-trilingual.jsonl) holds 98 local-economic-development proposals in
English, Spanish and French, 8 topics of 5-6 ideas; an idea is said in 1-4 texts (translations and
same-language paraphrases). Two texts are a duplicate pair when they carry the same idea; every other
pair is not, and pairs of one topic (sharing words: "budget", "municipal", "local") are hard negatives.
Its first four topics tune the thresholds, the last four are held out. Each half is scored as the
detector runs: on pools of proposals, here both one pool per topic (like one question: everything on
one subject) and one pool of the whole half. Thresholds: for "merge", the lowest score whose precision
on the tuning half is >= 0.95; for "compare", >= 0.6."""

import itertools
import json
import time
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

import numpy as np

from deliberation.analysis.duplicates import DuplicateSettings, duplicate_scores
from deliberation.analysis.embedding import encoder_name, texts_embed
from deliberation.analysis.themes import vectors_center

ROOT = Path(__file__).resolve().parents[1]
LABELLED = ROOT / "bench" / "data" / "duplicates-trilingual.jsonl"
MERGE_PRECISION = 0.95
COMPARE_PRECISION = 0.8


def labelled_rows() -> list[dict]:
    return [json.loads(line) for line in LABELLED.read_text(encoding="utf-8").splitlines() if line.strip()]


def pools(rows: list[dict], split: str) -> list[list[int]]:
    """Row indexes of each pool of a half: one per topic, and the whole half."""
    half = [index for index, row in enumerate(rows) if row["split"] == split]
    topics = sorted({rows[index]["topic"] for index in half})
    return [[index for index in half if rows[index]["topic"] == topic] for topic in topics] + [half]


Scorer = Callable[[np.ndarray, list[str]], np.ndarray]


def raw_scores(vectors: np.ndarray, languages: list[str]) -> np.ndarray:
    return vectors @ vectors.T


def centred_scores(vectors: np.ndarray, languages: list[str]) -> np.ndarray:
    centred = vectors_center(vectors, languages, shrinkage=DuplicateSettings.language_shrinkage)
    return centred @ centred.T


def margin_scores(vectors: np.ndarray, languages: list[str]) -> np.ndarray:
    return duplicate_scores(vectors, languages, DuplicateSettings())


METHODS: dict[str, Scorer] = {
    "raw cosine (before)": raw_scores,
    "cosine, centred per language": centred_scores,
    "centred cosine / neighbourhood margin (shipped)": margin_scores,
}


def scored_pairs(rows, vectors, split: str, scorer: Scorer) -> list[tuple[float, bool, bool, bool]]:
    """(score, is a duplicate, across languages, same topic) for every pair of every pool."""
    pairs = []
    for pool in pools(rows, split):
        scores = scorer(vectors[pool], [rows[index]["lang"] for index in pool])
        for a, b in itertools.combinations(range(len(pool)), 2):
            first, second = rows[pool[a]], rows[pool[b]]
            pairs.append(
                (
                    float(scores[a, b]),
                    first["idea"] == second["idea"],
                    first["lang"] != second["lang"],
                    first["topic"] == second["topic"],
                )
            )
    return pairs


def measure(pairs, threshold: float) -> dict:
    found = [pair for pair in pairs if pair[0] >= threshold]
    true_found = sum(1 for pair in found if pair[1])
    duplicates = sum(1 for pair in pairs if pair[1])
    cross = [pair for pair in pairs if pair[1] and pair[2]]
    return {
        "threshold": round(threshold, 3),
        "precision": round(true_found / len(found), 3) if found else 1.0,
        "recall": round(true_found / duplicates, 3),
        "recall_across_languages": round(sum(1 for pair in cross if pair[0] >= threshold) / len(cross), 3),
        "false_pairs": len(found) - true_found,
        "false_pairs_same_topic": sum(1 for pair in found if not pair[1] and pair[3]),
        "pairs_found": len(found),
    }


def threshold_choose(pairs, precision: float) -> float:
    """The lowest score from which precision stays >= `precision` (most recall at that precision)."""
    best = max(score for score, *_ in pairs) + 1e-6
    for score in sorted({pair[0] for pair in pairs}, reverse=True):
        if measure(pairs, score)["precision"] >= precision:
            best = score
        # Keep going: precision can come back above the bar after a dip.
    return best


def heldout_measure(rows=None, vectors=None, settings: DuplicateSettings | None = None) -> dict:
    """The shipped detector on the held-out half (what tests/deliberation/analysis checks)."""
    settings = settings or DuplicateSettings()
    rows = rows if rows is not None else labelled_rows()
    vectors = vectors if vectors is not None else texts_embed([row["text"] for row in rows])
    pairs = scored_pairs(rows, vectors, "heldout", lambda v, lang: duplicate_scores(v, lang, settings))
    return {"merge": measure(pairs, settings.merge_score), "compare": measure(pairs, settings.compare_score)}


def main() -> None:
    rows = labelled_rows()
    started = time.perf_counter()
    vectors = texts_embed([row["text"] for row in rows])
    embed_seconds = time.perf_counter() - started
    common = {"bench": "duplicates", "encoder": encoder_name(), "texts": len(rows)}
    for name, scorer in METHODS.items():
        tune = scored_pairs(rows, vectors, "tune", scorer)
        heldout = scored_pairs(rows, vectors, "heldout", scorer)
        tiers = {}
        for tier, precision in (("merge", MERGE_PRECISION), ("compare", COMPARE_PRECISION)):
            threshold = threshold_choose(tune, precision)
            tiers[tier] = {"tune": measure(tune, threshold), "heldout": measure(heldout, threshold)}
        print(
            json.dumps(
                {
                    **common,
                    "method": name,
                    "pairs": {"tune": len(tune), "heldout": len(heldout)},
                    "duplicate_pairs": {
                        "tune": sum(1 for pair in tune if pair[1]),
                        "heldout": sum(1 for pair in heldout if pair[1]),
                    },
                    "hard_negative_pairs": {
                        "tune": sum(1 for pair in tune if not pair[1] and pair[3]),
                        "heldout": sum(1 for pair in heldout if not pair[1] and pair[3]),
                    },
                    **tiers,
                }
            )
        )
    started = time.perf_counter()
    shipped = heldout_measure(rows, vectors)
    print(
        json.dumps(
            {
                **common,
                "method": "shipped settings on the held-out half",
                "settings": asdict(DuplicateSettings()),
                **shipped,
                "embed_seconds": round(embed_seconds, 2),
                "score_seconds": round(time.perf_counter() - started, 3),
            }
        )
    )


if __name__ == "__main__":
    main()
