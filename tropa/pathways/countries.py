"""Country names for the countries pathways speak of, in the reader's language."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

NAMES: dict[str, Promise] = {
    "AM": _("Armenia"),
    "DE": _("Germany"),
    "FR": _("France"),
    "GE": _("Georgia"),
    "IL": _("Israel"),
    "KG": _("Kyrgyzstan"),
    "KZ": _("Kazakhstan"),
    "MN": _("Mongolia"),
    "NL": _("Netherlands"),
    "RS": _("Serbia"),
    "TR": _("Turkey"),
    "UA": _("Ukraine"),
    "UZ": _("Uzbekistan"),
}


def country_name(code: str) -> str:
    return str(NAMES.get(code, code))


def choices() -> list[tuple[str, str]]:
    return sorted(((code, str(name)) for code, name in NAMES.items()), key=lambda c: c[1])
