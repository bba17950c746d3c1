"""Plural forms for the browser. A count string ("1 proposal", "2 proposals") is translated with gettext's
ngettext on the server like every other string; the browser is handed every form the reader's language
has, in its catalog's order, with the catalog's own plural rule (the C expression of its `Plural-Forms`
header), which frontend/js/plural.js evaluates to pick a form for any number. So the browser never
needs a catalog of its own, and the server and the browser choose the same form for the same count."""

import gettext
from functools import lru_cache
from pathlib import Path

from django.utils.translation import get_language, ngettext

LOCALE = Path(__file__).resolve().parent / "locale"
# gettext's own default, and English's: one form for exactly 1, another for everything else.
DEFAULT_RULE = "(n != 1)"
# The numbers tried to find, for each form of a language, one count that takes it (every rule of our
# languages is decided by numbers this small, or a million for the forms that count millions).
_SAMPLES = (*range(0, 1000), 1_000_000)


@lru_cache(maxsize=16)
def plural_rule(language: str) -> tuple[str, int]:
    """The plural rule of our catalog for `language` (its C expression in `n`) and how many forms it has."""
    try:
        catalog = gettext.translation("django", localedir=str(LOCALE), languages=[language])
    except OSError:
        return DEFAULT_RULE, 2
    header = catalog.info().get("plural-forms", "")
    fields = dict(part.strip().split("=", 1) for part in header.split(";") if "=" in part)
    return fields.get("plural", DEFAULT_RULE).strip(), int(fields.get("nplurals", "2"))


@lru_cache(maxsize=16)
def _form_samples(language: str) -> tuple[int, ...]:
    """For each form of the language, in order, the first count that selects it."""
    rule, forms = plural_rule(language)
    choose = gettext.c2py(rule)
    samples: dict[int, int] = {}
    for n in _SAMPLES:
        samples.setdefault(int(choose(n)), n)
        if len(samples) == forms:
            break
    return tuple(samples.get(index, 1 if index == 0 else 2) for index in range(forms))


def current_plural_rule() -> str:
    return plural_rule(get_language() or "en")[0]


def count_forms(singular: str, plural: str) -> list[str]:
    """Every form of a count string in the active language, through ngettext (the catalog, with its
    fallbacks), ready for the browser's plural rule to choose from."""
    return [ngettext(singular, plural, n) for n in _form_samples(get_language() or "en")]
