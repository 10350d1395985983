"""Russian, German, Ukrainian and French are complete, compiled and used (every string is
translatable; English is the source language)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import polib
import pytest
from django.conf import settings
from django.test import Client

ROOT = Path(__file__).resolve().parents[2]
TRANSLATED = ("ru", "de", "uk", "fr")
CATALOGS = sorted(
    p for p in ROOT.glob("**/locale/*/LC_MESSAGES/django.po") if p.parts[-3] in TRANSLATED
)
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]")


def test_every_language_offered_is_a_translated_one() -> None:
    assert {code for code, _name in settings.LANGUAGES} == {"en", *TRANSLATED}


def test_every_locale_directory_has_a_catalog_for_every_language() -> None:
    directories = {p.parents[2] for p in ROOT.glob("**/locale/*/LC_MESSAGES/django.po")}
    assert ROOT / "locale" in directories
    for directory in directories:
        for language in TRANSLATED:
            assert directory / language / "LC_MESSAGES" / "django.po" in CATALOGS


@pytest.mark.parametrize("po_path", CATALOGS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_entry_is_translated_with_its_placeholders(po_path: Path) -> None:
    catalog = polib.pofile(str(po_path))
    found = re.search(r"nplurals=(\d+)", catalog.metadata.get("Plural-Forms", ""))
    plurals = int(found.group(1)) if found else 2
    problems = []
    for entry in catalog:
        if entry.obsolete:
            continue
        if "fuzzy" in entry.flags:
            problems.append(f"fuzzy: {entry.msgid!r}")
        translations = list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]
        if not all(t.strip() for t in translations):
            problems.append(f"untranslated: {entry.msgid!r}")
            continue
        if entry.msgid_plural and len(translations) != plurals:
            # "0 days" in Russian is the third form: a missing one falls back to English.
            problems.append(f"{len(translations)} of {plurals} plural forms: {entry.msgid!r}")
            continue
        wanted = sorted(PLACEHOLDER.findall(entry.msgid))
        for text in translations:
            # A Russian or Ukrainian singular may drop the number ("one case"), never a field.
            found = sorted(PLACEHOLDER.findall(text))
            if found != wanted and not (entry.msgid_plural and set(found) <= set(wanted)):
                problems.append(f"placeholders differ: {entry.msgid!r} -> {text!r}")
    assert problems == []


@pytest.mark.parametrize("po_path", CATALOGS, ids=lambda p: str(p.relative_to(ROOT)))
def test_the_compiled_catalog_matches_the_source(po_path: Path) -> None:
    mo_path = po_path.with_suffix(".mo")
    assert mo_path.exists(), f"{mo_path} missing: run make messages"
    source = {
        (e.msgctxt, e.msgid): e.msgstr or dict(e.msgstr_plural)
        for e in polib.pofile(str(po_path))
        if not e.obsolete and e.translated()
    }
    compiled = {
        (e.msgctxt, e.msgid): e.msgstr or dict(e.msgstr_plural)
        for e in polib.mofile(str(mo_path))
        if e.msgid
    }
    assert compiled == source, f"{mo_path} is stale: run make messages"


@pytest.mark.parametrize(
    ("language", "word"),
    [("ru", "Войти"), ("de", "Anmelden"), ("uk", "Увійти"), ("fr", "Se connecter")],
)
def test_the_login_page_speaks_the_browsers_language(language: str, word: str, db: Any) -> None:
    html = Client(HTTP_ACCEPT_LANGUAGE=language).get("/accounts/login/").content.decode()
    assert f'lang="{language}"' in html
    assert word in html


BUTTON = re.compile(r'<button[^>]* name="language" value="(\w+)"([^>]*)>')


@pytest.mark.parametrize("page_language", ["ru", "en", "uk"])
def test_the_language_buttons_are_named_in_their_own_language(page_language: str, db: Any) -> None:
    html = Client(HTTP_ACCEPT_LANGUAGE=page_language).get("/accounts/login/").content.decode()
    assert "{#" not in html  # a template comment that leaked onto the page
    named = {}
    for code, attributes in BUTTON.findall(html):
        assert f'lang="{code}"' in attributes
        label = re.search(r'title="([^"]+)"', attributes)
        named[code] = label.group(1) if label else None
    assert named == {
        "ru": "Русский",
        "en": "English",
        "de": "Deutsch",
        "uk": "Українська",
        "fr": "Français",
    }


# One word per thing in Russian. An evidence item is «материал» (never «доказательство»: whether
# it proves anything is for a court), handing a signed bundle out is «экспорт», and «передача» is
# kept for what it means to a detainee's family: a care package.
RUSSIAN_WORDS = (
    (re.compile(r"доказательств", re.IGNORECASE), lambda msgid: True, "«материал(ы)»"),
    (re.compile(r"передач|передат", re.IGNORECASE), lambda msgid: "xport" in msgid, "«экспорт»"),
)


@pytest.mark.parametrize(
    "po_path",
    [p for p in CATALOGS if p.parts[-3] == "ru"],
    ids=lambda p: str(p.relative_to(ROOT)),
)
def test_russian_uses_one_word_per_thing(po_path: Path) -> None:
    problems = []
    for entry in polib.pofile(str(po_path)):
        texts = list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]
        for pattern, applies, wanted in RUSSIAN_WORDS:
            if applies(entry.msgid) and any(pattern.search(t) for t in texts):
                problems.append(f"{entry.msgid!r}: say {wanted}")
    assert problems == []
