"""Themes: proposals grouped by what they say, across English, Spanish and French.

How (measured in bench/analysis.py, figures in docs/performance.md):
1. Each proposal has a multilingual sentence vector (embedding.py).
2. Vectors are centred per language, so what all texts of one language share (the language itself)
   does not pull them together; a language with few texts is centred mostly on the overall mean.
3. A graph links each proposal to its nearest neighbours (cosine), weighted by similarity, and Louvain
   community detection (seeded, so the same input gives the same themes) finds the themes: it picks
   their number itself, where Ward linkage with a silhouette-chosen k kept splitting translations apart.
4. Each theme is labelled by its most distinctive words (class-based TF-IDF), per language.

`themes_match` keeps theme numbers stable between runs: new clusters take the number of the earlier
theme they share most proposals with, so a re-run never reshuffles what people are looking at."""

import argparse
import json
import math
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass

import networkx as nx
import numpy as np
from scipy.optimize import linear_sum_assignment

from deliberation.analysis.embedding import encoder_name, texts_embed
from deliberation.analysis.languages import language_detect, stopwords, text_words


@dataclass(frozen=True)
class ThemeSettings:
    neighbours: int = 15
    resolution: float = 1.0
    seed: int = 1
    # How many texts' worth of the overall mean a language's centre starts from.
    language_shrinkage: float = 5.0
    keywords: int = 3

    def as_dict(self) -> dict:
        return {
            **asdict(self),
            "encoder": encoder_name(),
            "method": "per-language centring, kNN graph, Louvain",
        }


def vectors_center(vectors: np.ndarray, languages: Sequence[str], *, shrinkage: float) -> np.ndarray:
    """Subtract each language's (shrunk) mean, then re-normalise."""
    overall = vectors.mean(axis=0)
    centred = vectors.copy()
    languages_array = np.asarray(languages)
    for language in set(languages):
        rows = languages_array == language
        count = int(rows.sum())
        centre = (vectors[rows].sum(axis=0) + shrinkage * overall) / (count + shrinkage)
        centred[rows] -= centre
    norms = np.linalg.norm(centred, axis=1, keepdims=True)
    return centred / np.maximum(norms, 1e-12)


def themes_cluster(vectors: np.ndarray, languages: Sequence[str], settings: ThemeSettings) -> list[int]:
    """A cluster index per row: 0 for the largest theme, 1 for the next, and so on."""
    count = len(vectors)
    if count == 0:
        return []
    if count < 3:
        return [0] * count
    centred = vectors_center(vectors, languages, shrinkage=settings.language_shrinkage)
    neighbours = min(settings.neighbours, count - 1)
    similarity = centred @ centred.T
    np.fill_diagonal(similarity, -np.inf)
    nearest = np.argpartition(-similarity, neighbours - 1, axis=1)[:, :neighbours]
    graph = nx.Graph()
    graph.add_nodes_from(range(count))
    for row in range(count):
        for column in nearest[row]:
            weight = float(similarity[row, column])
            if weight > 0:
                graph.add_edge(row, int(column), weight=weight)
    communities = nx.community.louvain_communities(
        graph, weight="weight", resolution=settings.resolution, seed=settings.seed
    )
    ordered = sorted(communities, key=lambda members: (-len(members), min(members)))
    labels = [0] * count
    for index, members in enumerate(ordered):
        for member in members:
            labels[member] = index
    return labels


def themes_match(
    *, clusters: Sequence[int], ids: Sequence[int], previous: dict[int, int], taken: Iterable[int] = ()
) -> dict[int, int]:
    """Theme number for each cluster: the earlier theme (`previous`: proposal id -> theme number) it
    shares most proposals with, one cluster per theme, else a new number after every known one."""
    cluster_ids = sorted(set(clusters))
    theme_numbers = sorted(set(previous.values()))
    numbering: dict[int, int] = {}
    if cluster_ids and theme_numbers:
        overlap = np.zeros((len(cluster_ids), len(theme_numbers)))
        cluster_index = {cluster: index for index, cluster in enumerate(cluster_ids)}
        theme_index = {number: index for index, number in enumerate(theme_numbers)}
        for cluster, proposal_id in zip(clusters, ids, strict=True):
            if proposal_id in previous:
                overlap[cluster_index[cluster], theme_index[previous[proposal_id]]] += 1
        rows, columns = linear_sum_assignment(-overlap)
        for row, column in zip(rows, columns, strict=True):
            if overlap[row, column] > 0:
                numbering[cluster_ids[row]] = theme_numbers[column]
    next_number = max([*theme_numbers, *taken, 0]) + 1
    for cluster in cluster_ids:
        if cluster not in numbering:
            numbering[cluster] = next_number
            next_number += 1
    return numbering


# Verbs that open proposals in any theme ("we should create..."), in the three languages.
GENERIC_WORDS = frozenset(
    "should must need needs create make ensure help give use set build offer "
    "debe deben debería deberían hace falta crear hacer dar usar asegurar ofrecer construir "
    "doit doivent devrait devraient faut créer faire donner utiliser assurer proposer construire "
    "mettre".split()
)


def themes_label(
    *, texts: Sequence[str], languages: Sequence[str], clusters: Sequence[int], count: int = 3
) -> dict[int, dict[str, str]]:
    """For each cluster, a label per language its proposals are written in: the words most particular
    to it among that language's proposals (class-based TF-IDF), most distinctive first."""
    words_by_language: dict[str, dict[int, Counter]] = defaultdict(lambda: defaultdict(Counter))
    for text, language, cluster in zip(texts, languages, clusters, strict=True):
        excluded = stopwords(language)
        words = [
            word
            for word in text_words(text)
            if len(word) > 2 and word not in excluded and word not in GENERIC_WORDS
        ]
        words_by_language[language][cluster].update(set(words))
    labels: dict[int, dict[str, str]] = defaultdict(dict)
    for language, by_cluster in words_by_language.items():
        document_frequency: Counter = Counter()
        for counter in by_cluster.values():
            document_frequency.update(counter)
        average = sum(sum(counter.values()) for counter in by_cluster.values()) / max(len(by_cluster), 1)
        for cluster, counter in by_cluster.items():
            total = sum(counter.values()) or 1
            # Words several of its proposals use come first; then the rarer elsewhere, the better.
            scored = sorted(
                counter.items(),
                key=lambda item: (
                    -min(item[1], 2),
                    -(item[1] / total) * math.log(1 + average / document_frequency[item[0]]),
                    item[0],
                ),
            )
            chosen = [word for word, _ in scored[:count]]
            if chosen:
                labels[cluster][language] = " · ".join(chosen)
    return dict(labels)


def label_for(labels: dict[str, str], *, language: str, sizes: dict[str, int]) -> tuple[str, str]:
    """The label in `language`, or the one of the language most of the theme is written in."""
    if language in labels:
        return labels[language], language
    if not labels:
        return "", language
    fallback = max(labels, key=lambda code: (sizes.get(code, 0), code))
    return labels[fallback], fallback


def _read_lines(stream: Iterable[str], default_language: str | None) -> list[dict]:
    rows = []
    for number, line in enumerate(stream, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            text = str(row["text"])
            row_id = row["id"]
        except (json.JSONDecodeError, KeyError, TypeError) as error:
            raise SystemExit(f'line {number}: expected {{"id": ..., "text": ...}} ({error})') from error
        language = (
            row.get("lang") or row.get("language") or default_language or language_detect(text, default="en")
        )
        rows.append({"id": row_id, "text": text, "lang": language})
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m deliberation.analysis.themes",
        description='Group proposals into themes. Reads JSON lines {"id", "text"[, "lang"]}; prints '
        '{"id", "theme"} per input line, then {"theme", "label", "labels", "size"} per theme.',
    )
    parser.add_argument("input", help="a JSON-lines file, or - for standard input")
    parser.add_argument("--lang", help="language of lines that give none (default: detected per line)")
    parser.add_argument("--resolution", type=float, default=ThemeSettings.resolution)
    parser.add_argument("--neighbours", type=int, default=ThemeSettings.neighbours)
    parser.add_argument("--seed", type=int, default=ThemeSettings.seed)
    arguments = parser.parse_args(argv)
    settings = ThemeSettings(
        resolution=arguments.resolution, neighbours=arguments.neighbours, seed=arguments.seed
    )
    if arguments.input == "-":
        rows = _read_lines(sys.stdin, arguments.lang)
    else:
        with open(arguments.input, encoding="utf-8") as stream:
            rows = _read_lines(stream, arguments.lang)
    texts = [row["text"] for row in rows]
    languages = [row["lang"] for row in rows]
    clusters = themes_cluster(texts_embed(texts), languages, settings)
    labels = themes_label(texts=texts, languages=languages, clusters=clusters, count=settings.keywords)
    for row, cluster in zip(rows, clusters, strict=True):
        print(json.dumps({"id": row["id"], "theme": cluster + 1}, ensure_ascii=False))
    for cluster in sorted(set(clusters)):
        sizes = Counter(
            language for language, member in zip(languages, clusters, strict=True) if member == cluster
        )
        label, _ = label_for(labels.get(cluster, {}), language=sizes.most_common(1)[0][0], sizes=dict(sizes))
        print(
            json.dumps(
                {
                    "theme": cluster + 1,
                    "label": label,
                    "labels": labels.get(cluster, {}),
                    "size": sum(sizes.values()),
                },
                ensure_ascii=False,
            )
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
