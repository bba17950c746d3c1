from django import template

from deliberation.texts import LocalizedText, text_in_language

register = template.Library()


@register.filter
def in_language(texts: dict, language: str) -> LocalizedText:
    """{{ question.text|in_language:LANGUAGE_CODE }} -> the text, with .language and .is_fallback."""
    return text_in_language(texts or {}, language)


@register.filter
def actor_type_label(roundtable, key: str) -> str:
    from django.utils.translation import get_language

    for actor_type in roundtable.actor_types:
        if actor_type["key"] == key:
            return text_in_language(actor_type, get_language() or "en").text
    return key
