def interface_languages(request) -> dict:
    """The interface languages, each named in itself, for the language switch of every page."""
    return {"interface_languages": [("en", "English"), ("es", "Español"), ("fr", "Français")]}
