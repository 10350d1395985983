"""The countries pathways speak of, named in the reader's language (``tropa.core.countries``)."""

from __future__ import annotations

from tropa.core.countries import country_name as _name

# Transit and destination countries of the people Tropa's users help; the forms offer these.
CODES = ("AM", "DE", "FR", "GE", "IL", "KG", "KZ", "MN", "NL", "RS", "TR", "UA", "UZ")


def country_name(code: str) -> str:
    return _name(code)


def choices() -> list[tuple[str, str]]:
    return sorted(((code, _name(code)) for code in CODES), key=lambda c: c[1].casefold())
