"""Screening and vetting read apart in Russian and Ukrainian (issue 19).

Screening a man against watchlists is «Сверка со списками» / «Звірка зі списками»; vetting,
the checks before the organization vouches for him, is «Верификация» / «Верифікація». Both
were «Проверка» / «Перевірка» before, so a coordinator could not tell the menu entries apart.
"""

from __future__ import annotations

import re
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parents[2]
TERMS = {
    "ru": {"screening": "Сверка со списками", "vetting": "Верификация", "old": r"\b[Пп]роверк"},
    "uk": {"screening": "Звірка зі списками", "vetting": "Верифікація", "old": r"\b[Пп]еревірк"},
}


def _entries(language: str) -> list[tuple[str, polib.POEntry]]:
    found = []
    for path in sorted(ROOT.glob(f"**/locale/{language}/LC_MESSAGES/django.po")):
        app = path.relative_to(ROOT).parts[0]
        found += [(app, entry) for entry in polib.pofile(str(path)) if entry.msgid]
    return found


def _strings(entry: polib.POEntry) -> list[str]:
    return list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]


@pytest.mark.parametrize("language", TERMS)
def test_the_two_names_are_the_same_everywhere_and_share_no_word(language: str) -> None:
    terms = TERMS[language]
    entries = _entries(language)
    screening = {e.msgstr for _app, e in entries if e.msgid == "Screening"}
    vetting = {e.msgstr for _app, e in entries if e.msgid == "Vetting"}
    assert screening == {terms["screening"]}
    assert vetting == {terms["vetting"]}
    words = {w.lower() for w in terms["screening"].split()}
    assert not words & {w.lower() for w in terms["vetting"].split()}


@pytest.mark.parametrize("language", TERMS)
def test_vetting_is_never_called_by_the_old_shared_word(language: str) -> None:
    """Every string about a vetting (or in the screening app's headings) uses its own term."""
    old = re.compile(TERMS[language]["old"])
    wrong = [
        (app, entry.msgid)
        for app, entry in _entries(language)
        if (
            re.search(r"vett|^Screen|screened", entry.msgid, re.I)
            or (app == "screening" and re.search(r"review", entry.msgid, re.I))
        )
        and any(old.search(text) for text in _strings(entry))
    ]
    assert wrong == []
