"""Theme quality: how well themes group ideas, on three labelled trilingual sets, and how they read.

    python -m bench.themes

Prints one JSON line per measurement:
- themes.quality: adjusted Rand index of the themes against the true groups, over 5 clustering seeds
  and over 5 orders of the input (the live runs read proposals in id order, i.e. as they arrived), on
  `bench/data/themes-trilingual.jsonl` ("chosen-on": 144 proposals, 8 themes) and
  `bench/data/themes-confirmation.jsonl` ("confirmation": questions 1 and 4 of the seed, 72 proposals and
  6 themes each), the two development sets every choice of method was made on, and on
  `bench/data/themes-holdout.jsonl` ("holdout": questions 2 and 3, 72 proposals and 4 themes each,
  committed before any method was run on it and used for nothing but this report). Themes are
  computed per question, as the live runs do.
- themes.arrival: proposals arriving 12 at a time in a random order, a run after each arrival (as the
  live runs do, numbering with `themes_match`): the share of proposals that keep their theme number from
  one run to the next, and the adjusted Rand index of the last run.
- themes.labels: each theme's name in English, Spanish and French (without a translation server), for
  people to judge."""

import json
import random
from collections import Counter
from pathlib import Path

import numpy as np
from sklearn.metrics import adjusted_rand_score

from deliberation.analysis.embedding import proposal_vectors
from deliberation.analysis.themes import ThemeSettings, themes_cluster, themes_label, themes_match

ROOT = Path(__file__).resolve().parents[1]
CHOSEN_ON = ROOT / "bench" / "data" / "themes-trilingual.jsonl"
CONFIRMATION = ROOT / "bench" / "data" / "themes-confirmation.jsonl"
HOLDOUT = ROOT / "bench" / "data" / "themes-holdout.jsonl"
SETS = {"chosen-on": CHOSEN_ON, "confirmation": CONFIRMATION, "holdout": HOLDOUT}
SEEDS = range(5)
ARRIVAL_BATCH = 12


def emit(record: dict) -> None:
    print(json.dumps(record, ensure_ascii=False), flush=True)


def questions_of(path: Path) -> dict[int, list[dict]]:
    """The labelled rows by question (a set without question numbers is one question)."""
    by_question: dict[int, list[dict]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        by_question.setdefault(int(row.get("question", 0)), []).append(row)
    return by_question


def quality(name: str, path: Path, vectors_of: dict[str, np.ndarray]) -> dict:
    per_question = []
    for question, rows in sorted(questions_of(path).items()):
        vectors = np.vstack([vectors_of[row["text"]] for row in rows])
        languages = [row["lang"] for row in rows]
        truth = [row["theme"] for row in rows]
        runs = [themes_cluster(vectors, languages, ThemeSettings(seed=seed)) for seed in SEEDS]
        scores = [adjusted_rand_score(truth, clusters) for clusters in runs]
        # The same proposals read in another order (the seed fixed): a method whose themes depend on
        # the order of its input would give a room different themes for the same proposals.
        shuffled_scores = []
        for order in SEEDS:
            permutation = np.random.default_rng(100 + order).permutation(len(rows))
            clusters = themes_cluster(
                vectors[permutation], [languages[i] for i in permutation], ThemeSettings()
            )
            shuffled_scores.append(adjusted_rand_score([truth[i] for i in permutation], clusters))
        first = runs[0]
        sizes = Counter(first)
        per_question.append(
            {
                "question": question,
                "proposals": len(rows),
                "known_themes": len(set(truth)),
                "found_themes": sum(1 for size in sizes.values() if size > 1),
                "unsorted": sum(1 for size in sizes.values() if size == 1),
                "adjusted_rand": round(float(np.mean(scores)), 3),
                "adjusted_rand_over_seeds": [round(score, 3) for score in scores],
                "same_themes_every_seed": all(
                    adjusted_rand_score(first, clusters) == 1.0 for clusters in runs[1:]
                ),
                "adjusted_rand_orders_mean": round(float(np.mean(shuffled_scores)), 3),
                "adjusted_rand_over_orders": [round(score, 3) for score in shuffled_scores],
                "adjusted_rand_with_language": round(adjusted_rand_score(languages, first), 3),
            }
        )
    weights = [item["proposals"] for item in per_question]
    return {
        "bench": "themes.quality",
        "set": name,
        "file": str(path.relative_to(ROOT)),
        "adjusted_rand": round(
            float(np.average([item["adjusted_rand"] for item in per_question], weights=weights)), 3
        ),
        "adjusted_rand_orders_mean": round(
            float(np.average([item["adjusted_rand_orders_mean"] for item in per_question], weights=weights)),
            3,
        ),
        "target": 0.6,
        "questions": per_question,
        "settings": ThemeSettings().as_dict(),
    }


def arrival(name: str, path: Path, vectors_of: dict[str, np.ndarray], orders: int = 3) -> dict:
    kept_shares: list[float] = []
    finals: list[float] = []
    for rows in questions_of(path).values():
        for order in range(orders):
            shuffled = rows[:]
            random.Random(order).shuffle(shuffled)
            previous: dict[int, int] = {}
            taken: set[int] = set()
            clusters: list[int] = []
            for end in range(ARRIVAL_BATCH, len(shuffled) + ARRIVAL_BATCH, ARRIVAL_BATCH):
                present = shuffled[:end]
                ids = [row["id"] for row in present]
                vectors = np.vstack([vectors_of[row["text"]] for row in present])
                clusters = themes_cluster(vectors, [row["lang"] for row in present], ThemeSettings())
                numbering = themes_match(clusters=clusters, ids=ids, previous=previous, taken=taken)
                current = {pk: numbering[cluster] for pk, cluster in zip(ids, clusters, strict=True)}
                if len(previous) >= 2 * ARRIVAL_BATCH:
                    both = [pk for pk in previous if pk in current]
                    kept_shares.append(sum(previous[pk] == current[pk] for pk in both) / len(both))
                taken |= set(numbering.values())
                previous = current
            finals.append(adjusted_rand_score([row["theme"] for row in shuffled], clusters))
    return {
        "bench": "themes.arrival",
        "set": name,
        "batch": ARRIVAL_BATCH,
        "orders": orders,
        "kept_theme_between_runs_mean": round(float(np.mean(kept_shares)), 3),
        "kept_theme_between_runs_min": round(float(np.min(kept_shares)), 3),
        "adjusted_rand_last_run": [round(score, 3) for score in finals],
    }


def labels(name: str, path: Path, vectors_of: dict[str, np.ndarray]) -> list[dict]:
    records = []
    for question, rows in sorted(questions_of(path).items()):
        texts = [row["text"] for row in rows]
        languages = [row["lang"] for row in rows]
        vectors = np.vstack([vectors_of[text] for text in texts])
        clusters = themes_cluster(vectors, languages, ThemeSettings())
        named = themes_label(
            texts=texts, languages=languages, clusters=clusters, vectors=vectors, wanted=("en", "es", "fr")
        )
        for cluster in sorted(set(clusters)):
            members = [row for row, member in zip(rows, clusters, strict=True) if member == cluster]
            sources = named.get(cluster, {}).get("from", [])
            record = {
                "bench": "themes.labels",
                "set": name,
                "question": question,
                "size": len(members),
                "true_themes": dict(Counter(row["theme"] for row in members).most_common()),
                "labels": named.get(cluster, {}).get("labels", {}),
            }
            if sources and (path == CHOSEN_ON or "idea" in rows[0]):
                # These sets write each idea in every language: the chosen-on set in the same order in
                # each (ids 1-6 English, 7-12 Spanish, 13-18 French, and so on), the holdout with an
                # "idea" number. One idea means the same name.
                ideas = {
                    (rows[row]["theme"], rows[row].get("idea", (rows[row]["id"] - 1) % 6)) for row in sources
                }
                record["one_idea_in_every_language"] = len(ideas) == 1
            records.append(record)
    return records


def main() -> None:
    sets = SETS
    written = sorted(
        {
            (row["text"], row["lang"])
            for path in sets.values()
            for rows in questions_of(path).values()
            for row in rows
        }
    )
    vectors = proposal_vectors([text for text, _ in written], [language for _, language in written])
    vectors_of = {text: vector for (text, _), vector in zip(written, vectors, strict=True)}
    for name, path in sets.items():
        emit(quality(name, path, vectors_of))
    for name, path in sets.items():
        emit(arrival(name, path, vectors_of))
    for name, path in sets.items():
        for record in labels(name, path, vectors_of):
            emit(record)


if __name__ == "__main__":
    main()
