"""Themes and opinion groups: speed and quality. Prints one JSON line per measurement.

    python -m bench.analysis

- themes: clustering and labelling 500 and 5,000 proposals from stored vectors (what a live re-run
  costs; targets < 1 s and < 15 s), and the encoder's cost per proposal (paid once, at submission);
- opinions: 1,000 participants x 5,000 proposals (target < 5 s);
- quality: themes against three labelled trilingual sets, and their names (bench/themes.py), and
  opinion groups against the group-id Polis itself assigned, on the four real conversations in
  ../shared/polis-open-data (CC BY 4.0, The Computational Democracy Project; see its README);
- stability: share of people who keep their group when 10 % more votes arrive, with and without the
  previous run's state (without it, as Pol.is does)."""

import csv
import itertools
import json
import random
import time
from collections import Counter
from pathlib import Path

import numpy as np
from sklearn.metrics import adjusted_rand_score

import bench.themes
from deliberation.analysis.duplicates import duplicates_find
from deliberation.analysis.embedding import proposal_encoder_name, proposal_vectors, vectors_whole
from deliberation.analysis.opinions import OpinionPrevious, opinion_groups, polis_votes_read
from deliberation.analysis.themes import ThemeSettings, themes_cluster, themes_label

ROOT = Path(__file__).resolve().parents[1]
LABELLED = ROOT / "bench" / "data" / "themes-trilingual.jsonl"
POLIS = ROOT.parent / "shared" / "polis-open-data"


def emit(record: dict) -> None:
    print(json.dumps(record, ensure_ascii=False), flush=True)


def labelled() -> list[dict]:
    return [json.loads(line) for line in LABELLED.read_text(encoding="utf-8").splitlines()]


def synthetic_proposals(count: int, seed: int = 7) -> tuple[list[str], list[str]]:
    """Distinct proposals built from the labelled ones: two ideas of one theme and language joined."""
    rng = random.Random(seed)
    rows = labelled()
    by_group: dict[tuple[str, str], list[str]] = {}
    for row in rows:
        by_group.setdefault((row["theme"], row["lang"]), []).append(row["text"])
    joiners = {"en": " and ", "es": " y ", "fr": " et "}
    pairs = [
        (joiners[lang].join([parts[0], *(part[0].lower() + part[1:] for part in parts[1:])]), lang)
        for (_, lang), texts in by_group.items()
        for size in (2, 3)
        for parts in itertools.permutations(texts, size)
    ]
    prefixes = {"en": "Our proposal: ", "es": "Nuestra propuesta: ", "fr": "Notre proposition : "}
    pairs += [(prefixes[lang] + text[0].lower() + text[1:], lang) for text, lang in pairs]
    rng.shuffle(pairs)
    texts, languages = [row["text"] for row in rows], [row["lang"] for row in rows]
    for text, lang in pairs:
        if len(texts) >= count:
            break
        texts.append(text)
        languages.append(lang)
    return texts[:count], languages[:count]


def bench_themes() -> None:
    texts, languages = synthetic_proposals(5000)
    started = time.perf_counter()
    vectors = proposal_vectors(texts, languages)
    embed_seconds = time.perf_counter() - started
    emit(
        {
            "bench": "themes.embed",
            "encoder": proposal_encoder_name(),
            "proposals": len(texts),
            "seconds": round(embed_seconds, 2),
            "ms_per_proposal": round(1000 * embed_seconds / len(texts), 2),
        }
    )
    settings = ThemeSettings()
    for count, target in ((500, 1.0), (5000, 15.0)):
        started = time.perf_counter()
        clusters = themes_cluster(vectors[:count], languages[:count], settings)
        themes_label(
            texts=texts[:count],
            languages=languages[:count],
            clusters=clusters,
            vectors=vectors[:count],
            wanted=("en", "es", "fr"),
        )
        duplicates_find(
            vectors=vectors_whole(vectors[:count]), languages=languages[:count], ids=list(range(count))
        )
        seconds = time.perf_counter() - started
        emit(
            {
                "bench": "themes.cluster",
                "proposals": len(clusters),
                "themes": len(set(clusters)),
                "seconds": round(seconds, 3),
                "target_seconds": target,
                "ok": seconds < target,
            }
        )


def synthetic_votes(people: int, proposals: int, per_person: int, groups: int = 3, seed: int = 11):
    rng = np.random.default_rng(seed)
    leaning = rng.normal(size=(groups, proposals))
    votes = []
    for person in range(people):
        group = person % groups
        for proposal in rng.choice(proposals, size=per_person, replace=False):
            p_agree = 1 / (1 + np.exp(-2 * leaning[group, proposal]))
            draw = rng.random()
            votes.append(
                (
                    person,
                    int(proposal),
                    1 if draw < p_agree * 0.9 else 0 if draw < p_agree * 0.9 + 0.1 else -1,
                )
            )
    return votes


def bench_opinions() -> None:
    votes = synthetic_votes(1000, 5000, 100)
    started = time.perf_counter()
    result = opinion_groups(votes)
    seconds = time.perf_counter() - started
    truth = [int(person) % 3 for person in result["people"]]
    emit(
        {
            "bench": "opinions.speed",
            "participants": 1000,
            "proposals": 5000,
            "votes": len(votes),
            "groups": result["k"],
            "seconds": round(seconds, 3),
            "target_seconds": 5.0,
            "ok": seconds < 5.0,
            "adjusted_rand_vs_planted_groups": round(
                adjusted_rand_score(truth, [place["group"] for place in result["people"].values()]), 3
            ),
        }
    )


def polis_groups(folder: Path) -> dict[str, str]:
    with (folder / "participants-votes.csv").open(encoding="utf-8") as stream:
        return {row["participant"]: row["group-id"] for row in csv.DictReader(stream) if row["group-id"]}


def bench_polis() -> None:
    for folder in sorted(path for path in POLIS.iterdir() if path.is_dir()):
        votes = polis_votes_read(str(folder / "votes.csv"))
        started = time.perf_counter()
        ours = opinion_groups(votes)
        seconds = time.perf_counter() - started
        theirs = polis_groups(folder)
        common = [person for person in ours["people"] if person in theirs]
        # Stability: the last 10 % of votes arrive; who changes group?
        cut = int(len(votes) * 0.9)
        before = opinion_groups(votes[:cut])
        previous = OpinionPrevious(
            components=before["components"],
            centres=before["centres"],
            members={str(person): place["group"] for person, place in before["people"].items()},
        )
        steady = opinion_groups(votes, previous=previous)
        fresh = opinion_groups(votes)

        def kept(after: dict, before: dict = before) -> float:
            both = [person for person in before["people"] if person in after["people"]]
            same = sum(before["people"][p]["group"] == after["people"][p]["group"] for p in both)
            return round(same / max(len(both), 1), 3)

        emit(
            {
                "bench": "opinions.polis",
                "conversation": folder.name,
                "votes": len(votes),
                "participants_grouped": len(ours["people"]),
                "groups": ours["k"],
                "polis_groups": len(set(theirs.values())),
                "adjusted_rand_vs_polis": round(
                    adjusted_rand_score(
                        [theirs[p] for p in common], [ours["people"][p]["group"] for p in common]
                    ),
                    3,
                ),
                "seconds": round(seconds, 3),
                "kept_group_with_previous_state": kept(steady),
                "kept_group_from_scratch": kept(fresh),
                "group_sizes": dict(Counter(place["group"] for place in ours["people"].values())),
            }
        )


def main() -> None:
    bench_themes()
    bench.themes.main()
    bench_opinions()
    bench_polis()


if __name__ == "__main__":
    main()
