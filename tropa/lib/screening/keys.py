"""Phonetic keys: one spelling-independent form per reading of a name token.

The same Cyrillic surname reaches Tropa as Щербаков, Shcherbakov, Schtscherbakow, Chtcherbakov,
Szczerbakow or Ščerbakov. Comparing these strings directly fails, and transliterating the Latin
ones back to Cyrillic is ambiguous ("ch" is ч in English, ш in French and х in German). So each
token is *read* under every convention that could have produced it, and each reading is reduced
to a coarse key in which the distinctions that the conventions blur are merged on purpose
(ж/ш/щ, з/с, г/х, е/ё/э, the many spellings of й and iotated vowels, doubled letters).
Cyrillic tokens are transliterated with iuliia (Russian, ICAO Doc 9303) or translitua (Ukrainian,
KMU 2010) and then take the same path as English-style Latin.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from functools import lru_cache

import iuliia
import translitua

# Letters that only Ukrainian uses: a token with one of them is Ukrainian, the rest Russian.
_UKRAINIAN_LETTERS = frozenset("іїєґІЇЄҐ")

# Diacritics of the scholarly and Slavic schemes (ISO 9, GOST 7.79, Czech, Polish), mapped before
# accents are stripped, because stripping would make š a plain s. Capital S and C stand for the
# sibilant classes ш/щ/ж and ч inside keys; their lowercase letters keep their own meaning.
_DIACRITICS = {
    "š": "S",
    "ŝ": "S",
    "ž": "S",
    "ż": "S",
    "č": "C",
    "ĉ": "C",
    "ć": "C",
    "ś": "s",
    "ź": "z",
    "ł": "l",
    "ë": "io",
    "ö": "io",
    "û": "iu",
    "ü": "iu",
    "â": "ia",
    "ä": "ia",
    "ĭ": "i",
    "ï": "i",
    "ý": "i",
    "è": "e",
    "é": "e",
}

# Apostrophes and primes stand for the soft and hard signs, which the keys drop.
_SIGNS = re.compile(r"['’ʹʺʼ`´\"”“ʻ]")

# Each reading maps the letter groups of one convention to key letters; letters not listed pass
# through. Longer groups win over shorter ones at the same position.
_ENGLISH = {
    "shch": "S",
    "sch": "S",
    "sh": "S",
    "zh": "S",
    "sc": "S",
    "ch": "C",
    "kh": "h",
    "ts": "c",
    "tc": "c",
    "tz": "c",
    "ck": "k",
    "ph": "f",
    "x": "ks",
    "q": "k",
    "w": "v",
    "y": "i",
    "j": "i",
}
READINGS: Mapping[str, Mapping[str, str]] = {
    "en": _ENGLISH,
    "es": {**_ENGLISH, "j": "h"},
    "de": {
        "schtsch": "S",
        "sch": "S",
        "tsch": "C",
        "ch": "h",
        "sh": "S",
        "zh": "S",
        "kh": "h",
        "z": "c",
        "tz": "c",
        "ts": "c",
        "ck": "k",
        "ph": "f",
        "x": "ks",
        "w": "v",
        "y": "i",
        "j": "i",
    },
    "fr": {
        "chtch": "S",
        "tch": "C",
        "ch": "S",
        "sh": "S",
        "zh": "S",
        "dj": "dS",
        "j": "S",
        "kh": "h",
        "ou": "u",
        "gue": "ge",
        "gui": "gi",
        "qu": "k",
        "ts": "c",
        "tz": "c",
        "x": "ks",
        "w": "v",
        "y": "i",
    },
    "pl": {
        "szcz": "S",
        "sz": "S",
        "cz": "C",
        "rz": "S",
        "ch": "h",
        "x": "ks",
        "w": "v",
        "y": "i",
        "j": "i",
    },
}
CYRILLIC_READING = "cyrillic"
CYRILLIC_O_READING = "cyrillic_yo_as_o"

# Letter groups German spellings never use (Sakharov, Zhukov, Yakovlev): not a German word.
_ENGLISH_ONLY = re.compile(r"kh|zh|(?<!c)sh|y[aeiou]")

# The merges every key gets after reading, in order. They make conventions agree: "ii"/"iy"/"ij"
# endings (Yurii, Yuriy, Jurij), iotated e and o (Yelena/Elena, Fyodor/Fedor, Solovyov/Solovev),
# o after sibilants (Chruschtschow/Khrushchev), г read as h in Ukrainian, з written s in German.
_MERGES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"[^a-zSC]"), ""),
    (re.compile(r"h"), "g"),
    (re.compile(r"z"), "s"),
    (re.compile(r"SC|CS"), "S"),
    (re.compile(r"i+"), "i"),
    (re.compile(r"i([eo])"), "e"),
    (re.compile(r"([SC])o"), r"\1e"),
    (re.compile(r"(.)\1+"), r"\1"),
    # Russian -ская, Ukrainian -ська, Belarusian -ская: one feminine ending (Зеленская, Zelenska).
    (re.compile(r"(?<=[sc]k)aia$"), "a"),
)


# Patronymic endings in every list's spelling (-vich, -vitch, -vitsch, -vits, -witz): one ending.
_PATRONYMIC_SPELLING = re.compile(r"(?<=[aeiouy][vw])(?:itsch|itch|itz|its|ich|ic)$")
# English, French and Spanish c before a, o, u or a consonant is к (Victor, Nicolai).
_HARD_C = re.compile(r"c(?![eiyhzsk]|$)")
_HARD_C_READINGS = frozenset(("en", "fr", "es"))


def _compile(reading: Mapping[str, str]) -> re.Pattern[str]:
    groups = sorted(reading, key=len, reverse=True)
    return re.compile("|".join(re.escape(g) for g in groups))


_PATTERNS = {name: _compile(table) for name, table in READINGS.items()}


def is_cyrillic(text: str) -> bool:
    return any("\u0400" <= ch <= "\u04ff" for ch in text)


# The same merges with з and с kept apart.
_VOICED_MERGES = tuple(m for m in _MERGES if m[0].pattern != "z")


def _merge(text: str, merges: tuple[tuple[re.Pattern[str], str], ...] = _MERGES) -> str:
    for pattern, replacement in merges:
        text = pattern.sub(replacement, text)
    return text


def _fold_latin(token: str) -> str:
    token = _SIGNS.sub("", token.lower())
    token = "".join(_DIACRITICS.get(ch, ch) for ch in token)
    decomposed = unicodedata.normalize("NFKD", token)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _prepare(folded: str, reading: str) -> str:
    folded = _PATRONYMIC_SPELLING.sub("viC", folded)
    return _HARD_C.sub("k", folded) if reading in _HARD_C_READINGS else folded


# Spanish writes х as j and never uses h alone: a word with one is not Spanish (Herrmann).
_LONE_H = re.compile(r"(?<![cszk])h")


def _read(folded: str, reading: str) -> str:
    if reading == "es" and _LONE_H.search(folded):
        return ""
    table = READINGS[reading]
    return _merge(_PATTERNS[reading].sub(lambda m: table[m.group(0)], _prepare(folded, reading)))


def _read_voiced(folded: str, reading: str) -> str | None:
    """The key without the з/с merge; None where the reading cannot tell them apart."""
    if reading == "de":
        # German writes s for both з and с (Sacharow, Sergej), unless the word is English-style.
        return _read_voiced(folded, "en") if _ENGLISH_ONLY.search(folded) else None
    if reading == "es" and _LONE_H.search(folded):
        return ""
    table = READINGS[reading]
    text = _PATTERNS[reading].sub(lambda m: table[m.group(0)], _prepare(folded, reading))
    return _merge(text, _VOICED_MERGES)


def _cyrillic_key(token: str) -> str:
    return _read(_fold_latin(transliterate_cyrillic(_SIGNS.sub("", token))), "en")


@lru_cache(maxsize=500_000)
def voiced_keys(token: str) -> tuple[tuple[str, str | None], ...]:
    """(key, key with з and с kept apart) for every reading of a token, duplicates included.

    Keys merge з and с because German writes both as s; where a spelling does tell them apart,
    Захаров and Сахаров are two names. None marks a reading that cannot tell them apart.
    """
    if is_cyrillic(token):
        texts = (token, token.replace("ё", "о").replace("Ё", "О"))
        folded = [_fold_latin(transliterate_cyrillic(_SIGNS.sub("", t))) for t in texts]
        return tuple((_read(f, "en"), _read_voiced(f, "en")) for f in folded)
    folded_latin = _fold_latin(token)
    return tuple((_read(folded_latin, r), _read_voiced(folded_latin, r)) for r in READINGS)


def is_belarusian(token: str) -> bool:
    """ў, or і beside a letter Ukrainian lacks (ы, э, ё): Belarusian Cyrillic."""
    lowered = token.lower()
    return (
        "ў" in lowered
        or ("і" in lowered and any(ch in lowered for ch in "ыэё"))
        or "э" in lowered[1:]
        or "дз" in lowered
        or lowered.endswith(("скі", "цкі"))
    )


def transliterate_cyrillic(token: str) -> str:
    """Latin form of a Cyrillic token: KMU 2010 for Ukrainian, ICAO Doc 9303 for Russian and
    Belarusian (ў as u, і as i, as the Belarusian passport writes them)."""
    if is_belarusian(token):
        table = str.maketrans("ўЎіІ", "уУиИ")
        return str(iuliia.ICAO_DOC_9303.translate(token.translate(table)))
    if any(ch in _UKRAINIAN_LETTERS for ch in token):
        return str(translitua.translit(token))
    return str(iuliia.ICAO_DOC_9303.translate(token))


@lru_cache(maxsize=500_000)
def token_readings(token: str) -> Mapping[str, str]:
    """Key per reading of one token: {"cyrillic": key} or {"en": key, "de": key, ...}.

    Readings that give the same key are kept once, under the first reading's name.
    """
    if is_cyrillic(token):
        readings = _cyrillic_readings(token)
        belarusian = is_belarusian(token)
    else:
        folded = _fold_latin(token)
        readings = {}
        for reading in READINGS:
            key = _read(folded, reading)
            if key and key not in readings.values():
                readings[reading] = key
        plain = _strip_accents(token.lower())
        if plain != folded and plain.isascii():
            # Diacritics dropped by a list or a keyboard: Vucic for Vučić.
            _add(readings, PLAIN_READING, _read(plain, "en"))
        belarusian = any(_LATIN_BELARUSIAN.search(k) for k in readings.values())
    if belarusian or any(_BELARUSIAN_PATRONYMIC.search(k) for k in readings.values()):
        for number, key in enumerate(sorted(belarusian_variants(readings.values()))):
            _add(readings, f"{BELARUSIAN_READING}_{number}", key)
    return readings


PLAIN_READING = "plain"
BELARUSIAN_READING = "belarusian"
# Latin Belarusian words, on keys: -au/-ou/-eu (-аў, -оў, -еў), dz (дз), -enka (-энка).
_LATIN_BELARUSIAN = re.compile(r"[aoe]u$|ds|enka$|[aoe]uska$|^ulad")
_BELARUSIAN_PATRONYMIC = re.compile(r"(?:aviC|auna|euna)$")
# Belarusian → Russian, on keys: the final ў, akanye (unstressed о written а), yakanye (е as я),
# дз for д, ц for т, -ка for -ко, -аўна for -овна.
_BELARUSIAN_ENDINGS = (
    (re.compile(r"([aoe])u$"), r"\1v"),
    (re.compile(r"([aoe])uska$"), r"\1vska"),
    (re.compile(r"auna$"), "ovna"),
    (re.compile(r"euna$"), "evna"),
    (re.compile(r"aviC$"), "oviC"),
    (re.compile(r"(?<!s)ka$"), "ko"),
    (re.compile(r"^ulad"), "vlad"),
)
_MAX_AKANYE = 3


def _add(readings: dict[str, str], name: str, key: str) -> None:
    if key and key not in readings.values():
        readings[name] = key


def _strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", _SIGNS.sub("", text))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def belarusian_variants(keys: Iterable[str]) -> set[str]:
    """The Russian keys a Belarusian key may stand for (Раманаў → romanov, Сяргей → sergei)."""
    keys = set(keys)
    found: set[str] = set()
    for base in keys:
        for pattern, replacement in _BELARUSIAN_ENDINGS:
            base = pattern.sub(replacement, base)
        base = base.replace("dS", "d").replace("ds", "d")
        options = {base, base.replace("c", "t"), base.replace("ia", "e")}
        for option in list(options):
            places = [i for i, ch in enumerate(option) if ch == "a" and 0 < i < len(option) - 1]
            for mask in range(1, 2 ** min(len(places), _MAX_AKANYE)):
                letters = list(option)
                for bit, place in enumerate(places[:_MAX_AKANYE]):
                    if mask >> bit & 1:
                        letters[place] = "o"
                options.add("".join(letters))
        found.update(_merge(o) for o in options)
    return found - keys


def _cyrillic_readings(token: str) -> dict[str, str]:
    readings = {CYRILLIC_READING: _cyrillic_key(token)}
    if "ё" in token.lower():
        # ё after a consonant is written ьо in Ukrainian (Ковалёв, Ковальов) and "o" in many
        # Latin spellings (Kovalov); the second key lets those meet.
        readings[CYRILLIC_O_READING] = _cyrillic_key(token.replace("ё", "о").replace("Ё", "О"))
    return readings


def initial_of(key: str) -> str:
    """What an initial of a key is compared by: its first letter, Я and Ю as their own.

    Е is written E, Ye or Je and all give the key letter e; Ю (Yu, Iu, Ju) and Я (Ya, Ia, Ja)
    are kept apart from И. A vowel is not any vowel: the Ukrainian form starting with another
    one (Олексій for Алексей) is found through the name's forms (`forms.initial_letters`).
    """
    if key.startswith("iu"):
        return "U"
    if key.startswith("ia"):
        return "A"
    return key[0]


@lru_cache(maxsize=100_000)
def readings_giving(token: str, key: str) -> frozenset[str] | None:
    """The conventions under which a Latin token reads as `key`; None: any (Cyrillic, or a key
    that only the extra readings give)."""
    if is_cyrillic(token):
        return None
    folded = _fold_latin(token)
    found = frozenset(r for r in READINGS if _read(folded, r) == key)
    return found or None


def token_keys(token: str) -> frozenset[str]:
    return frozenset(token_readings(token).values())
