"""Roundtable content is stored in each of its languages; show it in the person's, falling back visibly."""

import hashlib
from dataclasses import dataclass

# Each interface language named in itself, so a person finds theirs whatever the page's language is.
LANGUAGE_NAMES = {"en": "English", "es": "Español", "fr": "Français"}


def language_choices(languages: list[str] | None = None) -> list[tuple[str, str]]:
    """(code, own name) of the interface languages, or of those among `languages` (a roundtable's)."""
    return [(code, name) for code, name in LANGUAGE_NAMES.items() if languages is None or code in languages]


@dataclass(frozen=True)
class LocalizedText:
    text: str
    language: str
    is_fallback: bool

    def __str__(self) -> str:
        return self.text


def text_in_language(
    texts: dict[str, str], language: str, fallbacks: list[str] | tuple = ()
) -> LocalizedText:
    if texts.get(language):
        return LocalizedText(texts[language], language, False)
    for candidate in [*fallbacks, *sorted(texts)]:
        if texts.get(candidate):
            return LocalizedText(texts[candidate], candidate, True)
    return LocalizedText("", language, True)


def text_fingerprint(text: str) -> str:
    """Which text a translation is of: an edit of the original retires its translations by itself."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
