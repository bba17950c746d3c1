"""Themes: proposals grouped by what they say, across English, Spanish and French.

How (measured in bench/analysis.py, figures in docs/performance.md):
1. Each proposal has two multilingual sentence vectors (embedding.py): of its text, and of its content
   words alone (without stopwords), which groups ideas better on our labelled set.
2. Each is centred per language, so what all texts of one language share (the language itself) does
   not pull them together (a language with few texts is centred mostly on the overall mean); the two
   are added.
3. A graph links each proposal to its nearest neighbours (cosine), weighted by similarity, and Louvain
   community detection (seeded, so the same input gives the same themes) finds the themes: it picks
   their number itself, where Ward linkage with a silhouette-chosen k kept splitting translations apart.
4. Each theme is named by its own proposals (themes_label): the most central one, shortened, and the
   same name translated, or the closest proposal of each other language.

`themes_match` keeps theme numbers stable between runs: new clusters take the number of the earlier
theme they share most proposals with, so a re-run never reshuffles what people are looking at."""

import argparse
import json
import re
import sys
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass

# NetworkX is imported where the clustering uses it, which runs in the analysis worker process only:
# every web process and manage.py command imports this module. SciPy's assignment stays here: themes_match
# runs in the web process under the roundtable's lock, where a first import (0.7 s) would hold up every
# command of the room.
import numpy as np
from scipy.optimize import linear_sum_assignment

from deliberation.analysis.embedding import (
    proposal_encoder_name,
    proposal_vectors,
    vectors_content,
    vectors_whole,
)
from deliberation.analysis.languages import language_detect


@dataclass(frozen=True)
class ThemeSettings:
    neighbours: int = 15
    resolution: float = 1.0
    seed: int = 1
    # How many texts' worth of the overall mean a language's centre starts from.
    language_shrinkage: float = 5.0

    def as_dict(self) -> dict:
        return {
            **asdict(self),
            "encoder": proposal_encoder_name(),
            "method": "sentence and content-word vectors each centred per language and added, kNN graph, "
            "Louvain; named by the most central proposal",
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


def theme_space(vectors: np.ndarray, languages: Sequence[str], *, shrinkage: float) -> np.ndarray:
    """Where themes are found: each half of the proposal vectors (embedding.proposal_vectors: the
    sentence, its content words) centred per language, added, and normalised."""
    whole = vectors_center(vectors_whole(vectors), languages, shrinkage=shrinkage)
    content = vectors_center(vectors_content(vectors), languages, shrinkage=shrinkage)
    combined = whole + content
    return combined / np.maximum(np.linalg.norm(combined, axis=1, keepdims=True), 1e-12)


def themes_cluster(vectors: np.ndarray, languages: Sequence[str], settings: ThemeSettings) -> list[int]:
    """A cluster index per row (of proposal vectors): 0 for the largest theme, 1 for the next, and so on."""
    count = len(vectors)
    if count == 0:
        return []
    if count < 3:
        return [0] * count
    centred = theme_space(vectors, languages, shrinkage=settings.language_shrinkage)
    neighbours = min(settings.neighbours, count - 1)
    similarity = centred @ centred.T
    np.fill_diagonal(similarity, -np.inf)
    nearest = np.argpartition(-similarity, neighbours - 1, axis=1)[:, :neighbours]
    import networkx as nx

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


def theme_unsorted(*, name: str, size: int) -> bool:
    """A group of one proposal is not a theme: every screen and the document show it among the unsorted
    proposals, unless moderators named it."""
    return size < 2 and not name


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


# Where a long proposal can be cut and still read as a phrase: before a clause ("..., so that", "donde",
# "pour que") first, else before a preposition; never inside a word. Lower-case, per language.
_CLAUSE_OPENERS = {
    "en": "where so because which who whose when while that instead without unless until".split(),
    "es": "donde para que porque cual cuales quien quienes cuando mientras sin aunque hasta".split(),
    "fr": "où pour afin parce qui que quand lorsque tandis sans plutôt jusqu".split(),
}
_PREPOSITIONS = {
    "en": "for in on by with to between from at into through of".split(),
    "es": "en por con a entre desde hacia de al del sobre".split(),
    "fr": "dans par avec à entre depuis vers de du des au aux sur en".split(),
}
# A cut never leaves one of these last ("Create a fund for the" -> "Create a fund").
_DANGLING = {
    "en": "a an the and or of to for in on by with their its our your so that".split(),
    "es": "el la los las un una unos unas y o de del al a en por con su sus lo para tiene tienen hay".split(),
    "fr": "le la les un une des et ou de du au aux à en par avec leur leurs sa son ses ce pour afin".split(),
}
LABEL_MAX_CHARS = 64
# A first sentence this long is kept whole: cutting a few words off costs more than it saves.
LABEL_WHOLE_CHARS = 72


def text_shorten(
    text: str, *, language: str, limit: int = LABEL_MAX_CHARS, whole: int = LABEL_WHOLE_CHARS
) -> str:
    """A proposal cut down to a heading: its first sentence (or what comes before a colon that opens a
    list), kept whole up to `whole` characters; else the longest start up to `limit` that ends before a
    clause or a preposition; an ellipsis only when the cut had to fall between two ordinary words."""
    text = " ".join(text.split())
    first = re.split(r"(?<=[.!?;])\s+", text, maxsplit=1)[0]
    head, colon, _ = first.partition(":")
    if colon and len(head.split()) >= 3:
        first = head
    first = first.strip().rstrip(".!?;:,").strip()
    if len(first) <= max(limit, whole):
        return _capitalised(first)
    words = first.split(" ")
    openers = set(_CLAUSE_OPENERS.get(language, ())) | {"so", "pour", "para"}
    prepositions = set(_PREPOSITIONS.get(language, ()))
    dangling = set(_DANGLING.get(language, ()))
    best: dict[int, int] = {}
    for index in range(2, len(words)):
        prefix = " ".join(words[:index])
        if len(prefix) > limit:
            break
        if len(prefix) < limit * 0.35 or words[index - 1].lower().strip(",") in dangling:
            continue
        following = words[index].lower().lstrip("(").split("'")[0]
        if words[index - 1].endswith((",", ";")) or words[index].startswith("(") or following in openers:
            rank = 0
        elif following in prepositions:
            rank = 1
        else:
            rank = 2
        best[rank] = index
    for rank in (0, 1):
        if rank in best:
            return _capitalised(" ".join(words[: best[rank]]).rstrip(",;"))
    cut = best.get(2) or max(1, len(first[:limit].split(" ")) - 1)
    return _capitalised(" ".join(words[:cut]).rstrip(",;") + "…")


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def themes_label(
    *,
    texts: Sequence[str],
    languages: Sequence[str],
    clusters: Sequence,
    vectors: np.ndarray | None,
    wanted: Sequence[str] = (),
    translate: Callable[[str, str, str], str | None] | None = None,
) -> dict:
    """For each cluster of two or more, a name per language taken from its own proposals: its most
    central proposal, shortened (`text_shorten`), in the language it is written in; in every other
    language of `wanted`, that name translated (`translate(text, source, target)`, None when no
    translation is to be had), else the shortened proposal of that language closest to the central
    one (in a trilingual room, most often the same idea). A cluster of one gets no name: it is unsorted.

    `vectors` are the rows' proposal vectors (None, or rows of zeros, where not computed yet: such rows
    are never chosen while another is). Returns {cluster: {"labels": {language: text}, "machine":
    {language: the language it was translated from, for each label `translate` gave}, "from": [row
    indices the names were taken from]}}."""
    count = len(texts)
    if count == 0:
        return {}
    usable = np.zeros(count, dtype=bool)
    centred = None
    if vectors is not None and len(vectors) == count and vectors.ndim == 2 and vectors.shape[1] > 1:
        usable = np.linalg.norm(vectors, axis=1) > 0
        if usable.any():
            kept = theme_space(
                vectors[usable],
                [languages[row] for row in np.flatnonzero(usable)],
                shrinkage=ThemeSettings.language_shrinkage,
            )
            centred = np.zeros((count, kept.shape[1]), dtype=np.float32)
            centred[usable] = kept
    members_of: dict = defaultdict(list)
    for row, cluster in enumerate(clusters):
        members_of[cluster].append(row)
    result: dict = {}
    for cluster, members in members_of.items():
        if len(members) < 2:
            continue
        scored = [row for row in members if usable[row]]
        if centred is not None and scored:
            centre = centred[scored].mean(axis=0)
            centrality = {row: float(centred[row] @ centre) for row in scored}
            # Ties (and rows without vectors) go to the shorter, then the earlier proposal.
            lead = max(members, key=lambda row: (centrality.get(row, -9.0), -len(texts[row]), -row))
        else:
            lead = min(members, key=lambda row: (len(texts[row]), row))
        lead_language = languages[lead]
        name = text_shorten(texts[lead], language=lead_language)
        labels = {lead_language: name}
        machine = {}
        sources = [lead]
        for language in [*dict.fromkeys([*wanted, *(languages[row] for row in members)])]:
            if language in labels:
                continue
            translated = translate(name, lead_language, language) if translate else None
            if translated:
                labels[language] = translated
                machine[language] = lead_language
                continue
            own = [row for row in members if languages[row] == language]
            if not own:
                continue
            if centred is not None and usable[lead] and any(usable[row] for row in own):
                closest = max(
                    own,
                    key=lambda row: (
                        float(centred[row] @ centred[lead]) if usable[row] else -9.0,
                        -len(texts[row]),
                        -row,
                    ),
                )
            else:
                closest = min(own, key=lambda row: (len(texts[row]), row))
            labels[language] = text_shorten(texts[closest], language=language)
            sources.append(closest)
        result[cluster] = {"labels": labels, "machine": machine, "from": sources}
    return result


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
        '{"id", "theme"} per input line, then {"theme", "label", "labels", "size", "unsorted"} per theme.',
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
    vectors = proposal_vectors(texts, languages)
    clusters = themes_cluster(vectors, languages, settings)
    named = themes_label(texts=texts, languages=languages, clusters=clusters, vectors=vectors)
    for row, cluster in zip(rows, clusters, strict=True):
        print(json.dumps({"id": row["id"], "theme": cluster + 1}, ensure_ascii=False))
    sizes = Counter(clusters)
    for cluster in sorted(sizes):
        labels = named.get(cluster, {}).get("labels", {})
        print(
            json.dumps(
                {
                    "theme": cluster + 1,
                    # The central proposal's own words; a theme of one proposal is unsorted, unnamed.
                    "label": next(iter(labels.values()), ""),
                    "labels": labels,
                    "size": sizes[cluster],
                    "unsorted": sizes[cluster] < 2,
                },
                ensure_ascii=False,
            )
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
