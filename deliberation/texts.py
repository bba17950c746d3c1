"""Roundtable content is stored in each of its languages; show it in the person's, falling back visibly."""

from dataclasses import dataclass


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
