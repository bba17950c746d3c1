"""The themes engine on real sentence vectors: grouping across languages, stable numbering, labels,
duplicate hints, and its command line."""

import json
from pathlib import Path

import numpy as np
from sklearn.metrics import adjusted_rand_score

from deliberation.analysis.duplicates import duplicates_find
from deliberation.analysis.embedding import proposal_vectors, texts_embed
from deliberation.analysis.languages import language_detect
from deliberation.analysis.themes import (
    ThemeSettings,
    text_shorten,
    theme_unsorted,
    themes_cluster,
    themes_label,
    themes_match,
)
from tests.support.servers import python_module

ROOT = Path(__file__).resolve().parents[3]
LABELLED = ROOT / "bench" / "data" / "themes-trilingual.jsonl"


def labelled_rows(themes: set[str] | None = None) -> list[dict]:
    rows = [json.loads(line) for line in LABELLED.read_text(encoding="utf-8").splitlines()]
    return [row for row in rows if themes is None or row["theme"] in themes]


def test_the_same_idea_in_spanish_and_french_lands_in_one_theme():
    rows = labelled_rows({"funding", "data", "training"})
    texts = [row["text"] for row in rows]
    languages = [row["lang"] for row in rows]
    clusters = themes_cluster(proposal_vectors(texts, languages), languages, ThemeSettings())
    by_text = dict(zip(texts, clusters, strict=True))
    # Translations of one another, written by different people in different languages.
    assert (
        by_text[
            "Crear un fondo común de inversión con aportes de municipios y empresas para proyectos locales"
        ]
        == (by_text["Créer un fonds d'investissement commun alimenté par les communes et les entreprises"])
    )
    assert (
        by_text["Compartir estadísticas entre municipios para trabajar con las mismas cifras"]
        == (
            by_text[
                "Partager les statistiques entre communes pour que tous travaillent avec les mêmes chiffres"
            ]
        )
    )
    # Three clear topics, 54 proposals in three languages: grouped by topic, not by language.
    assert adjusted_rand_score([row["theme"] for row in rows], clusters) > 0.5
    assert adjusted_rand_score([row["lang"] for row in rows], clusters) < 0.1


def test_the_same_input_gives_the_same_themes():
    rows = labelled_rows()
    languages = [row["lang"] for row in rows]
    vectors = proposal_vectors([row["text"] for row in rows], languages)
    assert themes_cluster(vectors, languages, ThemeSettings()) == themes_cluster(
        vectors, languages, ThemeSettings()
    )


def test_theme_numbers_follow_their_proposals_between_runs():
    previous = {1: 7, 2: 7, 3: 9, 4: 9}
    # The clusterer numbered them the other way round this time, and a new proposal forms its own.
    numbering = themes_match(
        clusters=[1, 1, 0, 0, 2], ids=[1, 2, 3, 4, 5], previous=previous, taken=[7, 9, 11]
    )
    assert numbering == {1: 7, 0: 9, 2: 12}


def test_a_theme_is_named_by_one_idea_in_each_language_from_its_own_proposals():
    rows = labelled_rows({"data", "training"})
    texts, languages = [row["text"] for row in rows], [row["lang"] for row in rows]
    clusters = [0 if row["theme"] == "data" else 1 for row in rows]
    named = themes_label(
        texts=texts, languages=languages, clusters=clusters, vectors=proposal_vectors(texts, languages)
    )
    for cluster, theme in ((0, "data"), (1, "training")):
        labels = named[cluster]["labels"]
        assert set(labels) == {"en", "es", "fr"}
        # Each name is one of the theme's own proposals in that language, shortened to a heading...
        sources = named[cluster]["from"]
        for language, label in labels.items():
            source = next(row for row in sources if languages[row] == language)
            assert rows[source]["theme"] == theme
            assert texts[source].startswith(label.rstrip("…"))
            assert len(label) <= 73
        # ...and the same idea in every language (this set writes each idea in all three).
        ideas = {(rows[row]["id"] - 1) % 6 for row in sources}
        assert len(ideas) == 1, [texts[row] for row in sources]


def test_with_a_translation_server_every_language_reads_the_central_proposal_translated():
    rows = labelled_rows({"funding", "inclusion"})
    texts, languages = [row["text"] for row in rows], [row["lang"] for row in rows]
    clusters = [0 if row["theme"] == "funding" else 1 for row in rows]
    asked = []

    def translate(text, source, target):
        asked.append((text, source, target))
        return f"{target}: {text}"

    named = themes_label(
        texts=texts,
        languages=languages,
        clusters=clusters,
        vectors=proposal_vectors(texts, languages),
        wanted=("en", "es", "fr"),
        translate=translate,
    )
    for entry in named.values():
        [lead] = entry["from"]
        name = entry["labels"][languages[lead]]
        others = {language for language in ("en", "es", "fr") if language != languages[lead]}
        assert {language: entry["labels"][language] for language in others} == {
            language: f"{language}: {name}" for language in others
        }
        # Which names the server made, and from what: the screens and the document mark those.
        assert entry["machine"] == {language: languages[lead] for language in others}
    assert len(asked) == 4


def test_a_group_of_one_proposal_is_unsorted_and_gets_no_name():
    texts = [
        "Create a joint investment fund for local projects",
        "Crear un fondo común de inversión para proyectos locales",
        "Protect water and land when attracting new industry",
    ]
    named = themes_label(
        texts=texts,
        languages=["en", "es", "en"],
        clusters=[0, 0, 1],
        vectors=proposal_vectors(texts, ["en", "es", "en"]),
    )
    assert set(named) == {0}
    assert named[0]["labels"]["es"] == "Crear un fondo común de inversión para proyectos locales"
    # Without a server every name is a proposal's own words: none is a machine's.
    assert named[0]["machine"] == {}
    assert theme_unsorted(name="", size=1) is True
    assert theme_unsorted(name="Water", size=1) is False
    assert theme_unsorted(name="", size=2) is False


def test_long_proposals_are_cut_where_a_phrase_ends():
    assert (
        text_shorten(
            "Create a joint investment fund where municipalities and companies each put in money for local"
            " projects",
            language="en",
        )
        == "Create a joint investment fund"
    )
    assert (
        text_shorten(
            "Les banques de développement doivent proposer des crédits plus simples aux petites villes",
            language="fr",
        )
        == "Les banques de développement doivent proposer"
    )
    assert text_shorten("Offer matching funds: every euro a business invests is matched", language="en") == (
        "Offer matching funds"
    )
    # Short ones are kept whole, first sentence only, without the final full stop.
    assert text_shorten("Open budgets. Then open data.", language="en") == "Open budgets"
    assert text_shorten("  open   budgets ", language="en") == "Open budgets"
    # No phrase boundary: cut between words, and say so.
    long_word_run = " ".join(["participatory"] * 12)
    shortened = text_shorten(long_word_run, language="en")
    assert shortened.endswith("…") and len(shortened) <= 65


def test_translations_are_hinted_as_duplicates_and_other_ideas_are_not():
    texts = [
        "Create a joint investment fund where municipalities and companies each put in money"
        " for local projects",
        "Crear un fondo común de inversión con aportes de municipios y empresas para proyectos locales",
        "Protect water and land when attracting new industry",
    ]
    pairs = duplicates_find(vectors=texts_embed(texts), languages=["en", "es", "en"], ids=[10, 11, 12])
    assert [(a, b) for a, b, *_ in pairs] == [(10, 11)]


def test_language_detection_on_the_labelled_set():
    rows = labelled_rows()
    assert all(language_detect(row["text"]) == row["lang"] for row in rows)
    assert language_detect("Xyzzy 42", default="es") == "es"


def test_command_line_reads_jsonl_and_prints_a_theme_per_line_then_labels(tmp_path):
    rows = labelled_rows({"funding", "environment"})
    source = tmp_path / "in.jsonl"
    # Half the lines carry a language hint; the others are detected.
    source.write_text(
        "\n".join(
            json.dumps(
                {"id": f"p{index}", "text": row["text"], **({"lang": row["lang"]} if index % 2 else {})}
            )
            for index, row in enumerate(rows)
        ),
        encoding="utf-8",
    )
    done = python_module("deliberation.analysis.themes", str(source))
    assert done.returncode == 0, done.stderr
    output = done.stdout.splitlines()
    lines = [json.loads(line) for line in output]
    assignments = [line for line in lines if "id" in line]
    summaries = [line for line in lines if "id" not in line]
    assert [line["id"] for line in assignments] == [f"p{index}" for index in range(len(rows))]
    assert {line["theme"] for line in assignments} == {line["theme"] for line in summaries}
    assert sum(line["size"] for line in summaries) == len(rows)
    assert all(bool(line["label"]) != line["unsorted"] for line in summaries), "named unless unsorted"
    # The same themes as the engine gives for these proposals (language detection included); how good
    # they are is measured on whole sets (bench/themes.py) and on three topics above.
    languages = [row["lang"] for row in rows]
    vectors = proposal_vectors([row["text"] for row in rows], languages)
    engine = themes_cluster(vectors, languages, ThemeSettings())
    assert adjusted_rand_score(engine, [line["theme"] for line in assignments]) == 1.0


def test_command_line_explains_a_bad_line(tmp_path):
    source = tmp_path / "bad.jsonl"
    source.write_text('{"id": 1}\n', encoding="utf-8")
    result = python_module("deliberation.analysis.themes", str(source))
    assert result.returncode != 0
    assert "line 1" in result.stderr


def test_vectors_are_unit_length_and_language_independent_for_translations():
    vectors = texts_embed(["Open budgets for every partnership", "Presupuestos abiertos para cada alianza"])
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1, atol=1e-4)
    assert float(vectors[0] @ vectors[1]) > 0.85
