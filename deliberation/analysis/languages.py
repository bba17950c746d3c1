"""Which of English, Spanish or French a short text is written in, from its function words.

Proposals are one or two sentences; function words ("the", "los", "les", "de"...) give the language of
such a text reliably among these three, with no model to load."""

import re
from collections.abc import Iterable
from functools import cache

import stopwordsiso

WORD = re.compile(r"[^\W\d_]+", re.UNICODE)

# The words that best tell these three apart (stopword lists overlap: "de", "a", "en" are in several).
_MARKERS = {
    "en": "the and of to in is are for that with should be we our this it on by not more have from".split(),
    "es": "el la los las y de que en para con por una un del se debe deberían más como es al lo sus".split(),
    "fr": (
        "le la les et des du que pour avec une un est au aux dans sur ne pas plus qui doit devraient il"
    ).split(),
}


@cache
def _stopwords(language: str) -> frozenset[str]:
    return frozenset(stopwordsiso.stopwords(language))


def text_words(text: str) -> list[str]:
    return [word.lower() for word in WORD.findall(text)]


def language_detect(text: str, *, candidates: Iterable[str] = ("en", "es", "fr"), default: str = "") -> str:
    """The candidate language whose function words the text uses most, or `default` when none stands
    out (a text too short to tell)."""
    words = text_words(text)
    scores = {}
    for language in candidates:
        markers = set(_MARKERS.get(language, ()))
        stop = _stopwords(language) if stopwordsiso.has_lang(language) else frozenset()
        scores[language] = sum(2 if word in markers else 1 if word in stop else 0 for word in words)
        # Letters only one language uses.
        scores[language] += 3 * _letters(text, language)
    ranked = sorted(scores.items(), key=lambda item: -item[1])
    if not ranked or ranked[0][1] == 0 or (len(ranked) > 1 and ranked[0][1] == ranked[1][1]):
        return default
    return ranked[0][0]


def _letters(text: str, language: str) -> int:
    lowered = text.lower()
    if language == "es":
        return sum(lowered.count(letter) for letter in "ñ¿¡")
    if language == "fr":
        return sum(lowered.count(letter) for letter in "çèêàùœ") + lowered.count("'")
    return 0


def stopwords(language: str) -> frozenset[str]:
    return _stopwords(language) if stopwordsiso.has_lang(language) else frozenset()
