"""What was tried to group ideas better (issue 18, item 2), on the two development sets only.

    python -m bench.themes_methods [--only SUBSTRING] [--diagnostics] [--cache DIRECTORY]

Every method starts from the stored proposal vectors (`embedding.proposal_vectors`, unchanged) of
`bench/data/themes-trilingual.jsonl` ("chosen-on") and `bench/data/themes-confirmation.jsonl`
("confirmation", questions 1 and 4). It never reads `bench/data/themes-holdout.jsonl`: that set is for
`bench/themes.py`'s report alone. Prints one JSON line per method: the mean adjusted Rand index over 5
seeds per question, and over 5 orders of the input (the seed fixed). `--diagnostics` also prints what
the vectors allow: themes found with the true number of themes, and each proposal given the theme whose
centroid (without it) is nearest, which needs the answers. Figures in docs/performance.md."""

import argparse
import itertools
import json
import unicodedata
from collections.abc import Callable
from pathlib import Path

import networkx as nx
import numpy as np
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.spatial.distance import squareform
from sklearn.cluster import KMeans
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import adjusted_rand_score, silhouette_score

from deliberation.analysis.embedding import proposal_vectors
from deliberation.analysis.languages import stopwords, text_words
from deliberation.analysis.themes import ThemeSettings, themes_cluster

ROOT = Path(__file__).resolve().parents[1]
DEVELOPMENT = {
    "chosen-on": ROOT / "bench" / "data" / "themes-trilingual.jsonl",
    "confirmation": ROOT / "bench" / "data" / "themes-confirmation.jsonl",
}
SEEDS = range(5)


def development_sets(cache: Path | None = None) -> dict[str, dict[int, tuple[list[dict], np.ndarray]]]:
    """Each set's rows and vectors by question; the vectors kept in `cache` (a directory) if given, so
    that runs after the first do not embed again."""
    sets = {}
    for name, path in DEVELOPMENT.items():
        rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
        stored = cache / f"themes-vectors-{name}.npy" if cache else None
        if stored and stored.exists():
            vectors = np.load(stored)
        else:
            vectors = proposal_vectors([row["text"] for row in rows], [row["lang"] for row in rows])
            if stored:
                np.save(stored, vectors)
        by_question: dict[int, list[int]] = {}
        for index, row in enumerate(rows):
            by_question.setdefault(int(row.get("question", 0)), []).append(index)
        sets[name] = {
            question: ([rows[i] for i in indices], vectors[indices])
            for question, indices in by_question.items()
        }
    return sets


def normalised(x: np.ndarray) -> np.ndarray:
    return x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)


def centred(x: np.ndarray, languages: list[str], shrink: float = 5.0) -> np.ndarray:
    overall = x.mean(0)
    out = x.copy()
    codes = np.asarray(languages)
    for language in set(languages):
        rows = codes == language
        out[rows] -= (x[rows].sum(0) + shrink * overall) / (rows.sum() + shrink)
    return normalised(out)


def language_directions_removed(x: np.ndarray, languages: list[str], iterations: int) -> np.ndarray:
    """A linear classifier on language, its directions projected out, repeated (as INLP does)."""
    x = x.copy()
    for _ in range(iterations):
        weights = LogisticRegression(max_iter=500).fit(x, np.asarray(languages)).coef_
        basis, _ = np.linalg.qr(weights.T)
        x = x - (x @ basis) @ basis.T
    return normalised(x)


def theme_space(
    vectors, languages, *, content=1.0, whole=1.0, shrink=5.0, language_classifier=0, **_
) -> np.ndarray:
    half = vectors.shape[1] // 2
    sentence, words = vectors[:, :half], vectors[:, half:]
    if language_classifier:
        sentence = language_directions_removed(sentence, languages, language_classifier)
        words = language_directions_removed(words, languages, language_classifier)
    return normalised(
        whole * centred(sentence, languages, shrink) + content * centred(words, languages, shrink)
    )


def canonical_order(x: np.ndarray) -> np.ndarray:
    """Rows sorted by their vector: the graph is then built the same whatever order proposals came in."""
    return np.lexsort(np.round(x[:, :8], 6).T[::-1])


def knn_graph(similarity: np.ndarray, k: int, *, mode: str = "plain", ranking=None) -> np.ndarray:
    """Weighted adjacency: each row linked to its k nearest (by `ranking`, else by similarity)."""
    count = len(similarity)
    ranking = similarity if ranking is None else ranking
    k = min(k, count - 1)
    nearest = np.argpartition(-ranking, k - 1, axis=1)[:, :k]
    chosen = np.zeros((count, count))
    chosen[np.repeat(np.arange(count), k), nearest.ravel()] = 1
    # "mutual-weighted": a link both ways weighs its similarity, a one-way link half of it.
    links = (chosen + chosen.T) / 2 if mode == "mutual-weighted" else np.maximum(chosen, chosen.T)
    if mode == "unweighted":
        weights = (links > 0).astype(float)
    else:
        finite = np.where(np.isfinite(similarity), similarity, 0)
        weights = np.where(links > 0, np.maximum(finite, 0) * links, 0)
    np.fill_diagonal(weights, 0)
    return weights


def louvain(weights: np.ndarray, resolution: float, seed: int, order=None) -> np.ndarray:
    count = len(weights)
    order = np.arange(count) if order is None else order
    position = np.empty(count, dtype=int)
    position[order] = np.arange(count)
    graph = nx.Graph()
    graph.add_nodes_from(int(node) for node in order)
    rows, columns = np.nonzero(np.triu(weights, 1))
    edges = sorted(
        zip(rows.tolist(), columns.tolist(), strict=True),
        key=lambda edge: sorted((position[edge[0]], position[edge[1]])),
    )
    graph.add_weighted_edges_from((a, b, float(weights[a, b])) for a, b in edges)
    labels = np.zeros(count, dtype=int)
    for index, members in enumerate(
        nx.community.louvain_communities(graph, weight="weight", resolution=resolution, seed=seed)
    ):
        labels[list(members)] = index
    return labels


def similarity_of(x: np.ndarray) -> np.ndarray:
    similarity = x @ x.T
    np.fill_diagonal(similarity, -np.inf)
    return similarity


def average_linkage_cut(coassociation: np.ndarray, agreement: float) -> np.ndarray:
    distance = 1 - coassociation
    np.fill_diagonal(distance, 0)
    tree = linkage(squareform(distance, checks=False), "average")
    return fcluster(tree, t=1 - agreement, criterion="distance") - 1


def coassociation_of(runs: list[np.ndarray]) -> np.ndarray:
    return sum((labels[:, None] == labels[None, :]).astype(float) for labels in runs) / len(runs)


# Methods: (vectors, languages, texts, seed, **settings) -> a cluster per row.


def shipped(vectors, languages, texts, seed, **_):
    return np.asarray(themes_cluster(vectors, languages, ThemeSettings(seed=seed)))


def louvain_canonical(vectors, languages, texts, seed, *, k=15, resolution=1.0, mode="plain", **settings):
    x = theme_space(vectors, languages, **settings)
    return louvain(knn_graph(similarity_of(x), k, mode=mode), resolution, seed, canonical_order(x))


def consensus(
    vectors, languages, texts, seed, *, runs=10, agreement=0.5, ks=(15,), resolutions=(1.0,), **settings
):
    """Louvain over several node orders and seeds (and graphs), then average linkage on how often two
    proposals were together."""
    x = theme_space(vectors, languages, **settings)
    rng = np.random.default_rng(seed)
    order = canonical_order(x)
    results = []
    for k, resolution in itertools.product(ks, resolutions):
        weights = knn_graph(similarity_of(x), k)
        for _ in range(runs):
            results.append(
                louvain(weights, resolution, int(rng.integers(1 << 30)), order[rng.permutation(len(x))])
            )
    return average_linkage_cut(coassociation_of(results), agreement)


def stability_resolution(vectors, languages, texts, seed, *, runs=6, **settings):
    """The resolution whose partitions agree most across orders and seeds, then their consensus."""
    x = theme_space(vectors, languages, **settings)
    weights = knn_graph(similarity_of(x), 15)
    rng = np.random.default_rng(seed)
    order = canonical_order(x)
    best = None
    for resolution in (0.6, 0.8, 1.0, 1.2, 1.4, 1.7, 2.0):
        results = [
            louvain(weights, resolution, int(rng.integers(1 << 30)), order[rng.permutation(len(x))])
            for _ in range(runs)
        ]
        agreement = np.mean([adjusted_rand_score(a, b) for a, b in itertools.combinations(results, 2)])
        if best is None or agreement > best[0] + 1e-9:
            best = (agreement, results)
    return average_linkage_cut(coassociation_of(best[1]), 0.5)


def spectral(vectors, languages, texts, seed, *, choose="eigengap", **settings):
    x = theme_space(vectors, languages, **settings)
    weights = knn_graph(similarity_of(x), 15)
    scale = 1 / np.sqrt(np.maximum(weights.sum(1), 1e-12))
    values, eigenvectors = np.linalg.eigh(np.eye(len(x)) - scale[:, None] * weights * scale[None, :])
    largest = min(12, len(x) // 3)
    if choose == "eigengap":
        count = int(np.argmax(np.diff(values[: largest + 1])[1:]) + 2)
        return KMeans(count, n_init=10, random_state=seed).fit_predict(normalised(eigenvectors[:, :count]))
    candidates = [
        KMeans(count, n_init=10, random_state=seed).fit_predict(normalised(eigenvectors[:, :count]))
        for count in range(2, largest + 1)
    ]
    return max(candidates, key=lambda labels: silhouette_score(x, labels, metric="cosine"))


def hierarchical(vectors, languages, texts, seed, *, method="ward", **settings):
    x = theme_space(vectors, languages, **settings)
    tree = linkage(x, method)
    candidates = [fcluster(tree, count, "maxclust") - 1 for count in range(2, min(12, len(x) // 3) + 1)]
    return max(candidates, key=lambda labels: silhouette_score(x, labels, metric="cosine"))


def pair_calibrated(vectors, languages, texts, seed, **settings):
    """Similarities z-scored per pair of languages (en-en, en-fr, ...) to choose the neighbours."""
    x = theme_space(vectors, languages, **settings)
    similarity = similarity_of(x)
    ranking = np.full_like(similarity, -np.inf)
    codes = np.asarray(languages)
    off_diagonal = ~np.eye(len(x), dtype=bool)
    for a, b in itertools.product(set(languages), repeat=2):
        cells = np.outer(codes == a, codes == b) & off_diagonal
        if cells.sum() > 3:
            values = similarity[cells]
            ranking[cells] = (values - values.mean()) / max(values.std(), 1e-6)
    return louvain(knn_graph(similarity, 15, ranking=ranking), 1.0, seed, canonical_order(x))


def csls(vectors, languages, texts, seed, *, local=10, k=15, **settings):
    """Neighbours chosen by cross-domain similarity local scaling (hubs penalised), as in cross-lingual
    word retrieval."""
    x = theme_space(vectors, languages, **settings)
    similarity = similarity_of(x)
    density = np.sort(similarity, axis=1)[:, -local:].mean(1)
    ranking = 2 * similarity - density[:, None] - density[None, :]
    return louvain(knn_graph(similarity, k, ranking=ranking), 1.0, seed, canonical_order(x))


def folded(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(character for character in decomposed if not unicodedata.combining(character))


def cognates(vectors, languages, texts, seed, *, weight=0.15, **settings):
    """Add the similarity of character 4-5-grams of the content words, accents removed: shared roots
    across English, Spanish and French ("particip", "transpar", "municip")."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    x = theme_space(vectors, languages, **settings)
    documents = [
        " ".join(folded(word) for word in text_words(text) if word not in stopwords(language))
        for text, language in zip(texts, languages, strict=True)
    ]
    grams = TfidfVectorizer(analyzer="char_wb", ngram_range=(4, 5), sublinear_tf=True, min_df=2)
    matrix = grams.fit_transform(documents)
    similarity = similarity_of(x) + weight * (matrix @ matrix.T).toarray()
    return louvain(knn_graph(similarity, 15), 1.0, seed, canonical_order(x))


def principal_removed(vectors, languages, texts, seed, *, components=0, whiten=0.0, **settings):
    x = theme_space(vectors, languages, **settings)
    deviations = x - x.mean(0)
    _, singular, directions = np.linalg.svd(deviations, full_matrices=False)
    if components:
        x = normalised(x - (x @ directions[:components].T) @ directions[:components])
    if whiten:
        variance = singular**2 / len(x)
        scale = 1 / np.sqrt(variance + whiten * variance.mean())
        x = normalised(deviations @ directions.T * (scale / scale.max()))
    return louvain(knn_graph(similarity_of(x), 15), 1.0, seed, canonical_order(x))


def micro_merged(vectors, languages, texts, seed, *, resolution=2.0, **settings):
    """Many small clusters first (Louvain at a high resolution), then their centroids merged by average
    linkage, the cut chosen by silhouette."""
    x = theme_space(vectors, languages, **settings)
    small = louvain(knn_graph(similarity_of(x), 15), resolution, seed, canonical_order(x))
    names = sorted(set(small))
    if len(names) < 3:
        return small
    tree = linkage(normalised(np.vstack([x[small == name].mean(0) for name in names])), "average", "cosine")
    candidates = [
        (fcluster(tree, count, "maxclust") - 1)[np.searchsorted(names, small)]
        for count in range(2, len(names))
    ]
    candidates = [labels for labels in candidates if len(set(labels)) > 1]
    return max(candidates, key=lambda labels: silhouette_score(x, labels, metric="cosine"))


METHODS: list[tuple[str, Callable, dict]] = [
    ("shipped: sentence + content words centred per language, 15-NN, Louvain", shipped, {}),
    ("same, graph built in a canonical order (independent of input order)", louvain_canonical, {}),
    *[(f"canonical order, {k}-NN", louvain_canonical, {"k": k}) for k in (6, 8, 10, 12)],
    *[(f"canonical order, resolution {r}", louvain_canonical, {"resolution": r}) for r in (0.8, 1.2, 1.5)],
    ("mutual-neighbour weights (one-way links count half)", louvain_canonical, {"mode": "mutual-weighted"}),
    ("unweighted kNN graph", louvain_canonical, {"mode": "unweighted"}),
    ("consensus of 10 Louvain runs over node orders and seeds, average linkage at 0.5", consensus, {}),
    ("consensus over 8-20-NN graphs", consensus, {"runs": 1, "ks": (8, 10, 12, 15, 20)}),
    (
        "consensus over 8-20-NN graphs x resolutions 0.8-1.2",
        consensus,
        {"runs": 1, "ks": (8, 10, 12, 15, 20), "resolutions": (0.8, 1.0, 1.2)},
    ),
    ("resolution chosen by stability across orders and seeds", stability_resolution, {}),
    ("spectral, number of themes by eigengap", spectral, {}),
    ("spectral, number of themes by silhouette", spectral, {"choose": "silhouette"}),
    ("Ward, number of themes by silhouette", hierarchical, {}),
    ("average linkage, number of themes by silhouette", hierarchical, {"method": "average"}),
    *[
        (f"content-word vector weighted x{w}", louvain_canonical, {"content": w})
        for w in (0.5, 1.5, 2.0, 3.0)
    ],
    *[
        (f"language-classifier directions removed, {n} rounds", louvain_canonical, {"language_classifier": n})
        for n in (1, 2, 4)
    ],
    *[(f"language centring shrinkage {s}", louvain_canonical, {"shrink": s}) for s in (0.0, 20.0)],
    ("neighbours by similarity z-scored per language pair", pair_calibrated, {}),
    ("neighbours by CSLS (hubness reduction)", csls, {}),
    *[(f"cognates: character n-grams added x{w}", cognates, {"weight": w}) for w in (0.15, 0.3, 0.5)],
    *[(f"top {n} principal directions removed", principal_removed, {"components": n}) for n in (1, 2)],
    *[(f"partial whitening (alpha {a})", principal_removed, {"whiten": a}) for a in (0.25, 1.0, 4.0)],
    *[(f"micro-clusters (resolution {r}) merged", micro_merged, {"resolution": r}) for r in (2.0, 3.0)],
]


def measured(sets, method: Callable, settings: dict) -> dict:
    record: dict = {}
    for name, questions in sets.items():
        for question, (rows, vectors) in sorted(questions.items()):
            languages = [row["lang"] for row in rows]
            texts = [row["text"] for row in rows]
            truth = [row["theme"] for row in rows]
            seeds = [
                adjusted_rand_score(truth, method(vectors, languages, texts, seed, **settings))
                for seed in SEEDS
            ]
            orders = []
            for order in SEEDS:
                permutation = np.random.default_rng(100 + order).permutation(len(rows))
                labels = method(
                    vectors[permutation],
                    [languages[i] for i in permutation],
                    [texts[i] for i in permutation],
                    ThemeSettings.seed,
                    **settings,
                )
                orders.append(adjusted_rand_score([truth[i] for i in permutation], labels))
            record[f"{name} q{question}"] = {
                "adjusted_rand": round(float(np.mean(seeds)), 3),
                "over_orders": round(float(np.mean(orders)), 3),
            }
    confirmation = [value["adjusted_rand"] for key, value in record.items() if key.startswith("confirmation")]
    record["confirmation mean"] = round(float(np.mean(confirmation)), 3)
    return record


def diagnostics(sets) -> None:
    """What the vectors allow: with the true number of themes, and with the true themes' centroids."""
    for name, questions in sets.items():
        for question, (rows, vectors) in sorted(questions.items()):
            languages = [row["lang"] for row in rows]
            truth = np.asarray([row["theme"] for row in rows])
            themes = sorted(set(truth))
            x = theme_space(vectors, languages)
            kmeans = KMeans(len(themes), n_init=200, random_state=0).fit(x)
            nearest = []
            for row in range(len(x)):
                others = np.arange(len(x)) != row
                centroids = normalised(np.vstack([x[others & (truth == theme)].mean(0) for theme in themes]))
                nearest.append(themes[int(np.argmax(centroids @ x[row]))])

            def inertia(labels, x=x):
                labels = np.asarray(labels)
                return float(sum(((x[labels == c] - x[labels == c].mean(0)) ** 2).sum() for c in set(labels)))

            print(
                json.dumps(
                    {
                        "bench": "themes.methods.diagnostics",
                        "set": name,
                        "question": question,
                        "kmeans_true_k_adjusted_rand": round(adjusted_rand_score(truth, kmeans.labels_), 3),
                        "kmeans_true_k_inertia": round(kmeans.inertia_, 2),
                        "true_themes_inertia": round(inertia(truth), 2),
                        "nearest_true_centroid_leave_one_out_adjusted_rand": round(
                            adjusted_rand_score(truth, nearest), 3
                        ),
                    }
                ),
                flush=True,
            )


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.themes_methods")
    parser.add_argument("--only", help="run the methods whose description contains this")
    parser.add_argument("--diagnostics", action="store_true")
    parser.add_argument("--cache", type=Path, help="a directory to keep the sets' vectors in between runs")
    arguments = parser.parse_args()
    sets = development_sets(arguments.cache)
    if arguments.diagnostics:
        diagnostics(sets)
    for description, method, settings in METHODS:
        if arguments.only and arguments.only not in description:
            continue
        print(
            json.dumps(
                {"bench": "themes.methods", "method": description, **measured(sets, method, settings)}
            ),
            flush=True,
        )


if __name__ == "__main__":
    main()
