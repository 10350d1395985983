"""Countries by name in the reader's language (CLDR data through Babel), never as ISO codes.

Institutions keep the two-letter code (what filters and statistics group by); pages, forms
and exports show the name. Babel loads when a name is first asked for.
"""

from __future__ import annotations

from functools import lru_cache

from django.utils.translation import get_language


@lru_cache(maxsize=16)
def _names(language: str) -> dict[str, str]:
    from babel import Locale, UnknownLocaleError  # loads when used

    try:
        locale = Locale.parse(language.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        locale = Locale.parse("en")
    return {
        code: str(name)
        for code, name in locale.territories.items()
        if len(code) == 2 and code.isalpha() and (code not in {"ZZ", "XA", "XB", "QO", "EZ"})
    }


def country_name(code: str, language: str | None = None) -> str:
    """ "Германия" for DE in Russian; the code itself when it names no country."""
    if not code:
        return ""
    return _names(language or get_language() or "en").get(code.upper(), code)


def country_choices(language: str | None = None) -> list[tuple[str, str]]:
    """(code, name) for every country, sorted by name in the reader's language."""
    names = _names(language or get_language() or "en")
    return sorted(names.items(), key=lambda item: item[1].casefold())
