from deliberation.texts import language_choices


def interface_languages(request) -> dict:
    """The interface languages, each named in itself, for the language switch of every page."""
    return {"interface_languages": language_choices()}
