"""Machine translation backends. Off unless ROUNDTABLE_TRANSLATE_URL names a server; the one shipped speaks
LibreTranslate's HTTP API, which organisations host themselves (no text leaves for a third party unless
they choose so). Another backend is a class with the same `name` and `translate`, named by dotted path in
ROUNDTABLE_TRANSLATE_BACKEND."""

from typing import Protocol

import httpx
from django.conf import settings
from django.utils.module_loading import import_string


class TranslationUnavailable(Exception):
    """The server could not be reached, refused, or answered something that is not a translation."""


class TranslationBackend(Protocol):
    name: str

    async def translate(self, *, text: str, source: str, target: str) -> str: ...


async def translate_many(
    backend: TranslationBackend, *, texts: list[str], source: str, target: str
) -> list[str]:
    """Several texts of one language pair, in order: one request when the backend takes a list (a
    conclusion's lines cost one round trip, not one each), else one request per text."""
    if not texts:
        return []
    many = getattr(backend, "translate_many", None)
    if many is not None:
        return await many(texts=texts, source=source, target=target)
    return [await backend.translate(text=text, source=source, target=target) for text in texts]


class LibreTranslate:
    """POST {url}/translate with {q, source, target, format: "text", api_key?} -> {"translatedText"}; `q`
    may be a list, and then `translatedText` is the list of translations in the same order."""

    name = "LibreTranslate"

    def __init__(self, *, url: str, api_key: str, timeout: float) -> None:
        self.url = url
        self.api_key = api_key
        self.timeout = timeout

    async def _post(self, *, q: str | list[str], source: str, target: str) -> object:
        payload: dict[str, object] = {"q": q, "source": source, "target": target, "format": "text"}
        if self.api_key:
            payload["api_key"] = self.api_key
        try:
            async with httpx.AsyncClient(timeout=self.timeout) as client:
                response = await client.post(f"{self.url}/translate", json=payload)
        except httpx.HTTPError as error:
            raise TranslationUnavailable(f"{type(error).__name__}: {error}") from error
        if response.status_code != 200:
            raise TranslationUnavailable(f"HTTP {response.status_code}: {response.text[:200]}")
        try:
            return response.json().get("translatedText")
        except (ValueError, AttributeError) as error:
            raise TranslationUnavailable("the answer is not JSON with translatedText") from error

    async def translate(self, *, text: str, source: str, target: str) -> str:
        translated = await self._post(q=text, source=source, target=target)
        if not isinstance(translated, str) or not translated.strip():
            raise TranslationUnavailable("the answer has no translatedText")
        return translated

    async def translate_many(self, *, texts: list[str], source: str, target: str) -> list[str]:
        translated = await self._post(q=texts, source=source, target=target)
        if (
            not isinstance(translated, list)
            or len(translated) != len(texts)
            or not all(isinstance(item, str) and item.strip() for item in translated)
        ):
            raise TranslationUnavailable("the answer is not one translation per text")
        return translated


def translation_backend() -> TranslationBackend | None:
    """The configured backend, or None when machine translation is off."""
    if not settings.ROUNDTABLE_TRANSLATE_URL:
        return None
    backend = import_string(settings.ROUNDTABLE_TRANSLATE_BACKEND)
    return backend(
        url=settings.ROUNDTABLE_TRANSLATE_URL,
        api_key=settings.ROUNDTABLE_TRANSLATE_API_KEY,
        timeout=settings.ROUNDTABLE_TRANSLATE_TIMEOUT_SECONDS,
    )
