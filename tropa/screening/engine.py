"""The bridge to the screening engine (``tropa.lib.screening``): stored entries ↔ engine persons,
queries from identities, and the in-memory indexes.

An index is built per process from the entries of one list version and kept in memory until
that list gets a new version. It is never written to disk: an organization list's index holds
names that exist on disk only sealed.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from tropa.crypto.fields import unseal
from tropa.lib.screening.index import ScreeningIndex
from tropa.lib.screening.model import (
    Person as EnginePerson,
)
from tropa.lib.screening.model import (
    Role,
    parse_birth_date,
    parse_name,
    tokenize,
)

from .models import ListEntry, ListVersion, WatchList


def entry_data(person: EnginePerson, entity_id: str) -> dict[str, Any]:
    """What is stored of a list person: enough to rebuild exactly the same engine person.

    ``roles`` keeps the name-part roles that came from the list (lastName, firstName,
    fatherName) and that the word alone would not give.
    """
    roles = {
        token.text.lower(): role.value
        for name in person.names
        for token, role in zip(name.tokens, name.roles, strict=True)
        if role is not token.role
    }
    return {
        "id": entity_id,
        "names": [name.text for name in person.names],
        "roles": dict(sorted(roles.items())),
        "birth_dates": [str(d) for d in person.birth_dates],
        "extras": {k: list(v) for k, v in sorted(person.extras.items()) if v},
    }


def build_person(
    id: str,
    names: Iterable[str],
    *,
    roles: Mapping[str, str] | None = None,
    birth_dates: Iterable[str] = (),
    extras: Mapping[str, Iterable[str]] | None = None,
) -> EnginePerson:
    hints = {token: Role(role) for token, role in (roles or {}).items()}
    parsed = (parse_name(text, hints) for text in dict.fromkeys(n for n in names if n.strip()))
    dates = (parse_birth_date(d) for d in birth_dates if d)
    return EnginePerson(
        id=id,
        names=tuple(n for n in parsed if n is not None),
        birth_dates=tuple(dict.fromkeys(d for d in dates if d is not None)),
        extras={k: tuple(v for v in vs if v) for k, vs in (extras or {}).items()},
    )


def read_entry(entry: ListEntry) -> dict[str, Any]:
    """The stored data of an entry; an organization list's entry is opened in memory."""
    if entry.sealed is not None:
        data: dict[str, Any] = unseal(entry, "sealed", entry.sealed)
        return data
    return dict(entry.data or {})


def entry_person(entry: ListEntry) -> EnginePerson:
    data = read_entry(entry)
    return build_person(
        str(entry.pk),
        data.get("names", []),
        roles=data.get("roles"),
        birth_dates=data.get("birth_dates", []),
        extras=data.get("extras"),
    )


def _hints(**parts: Iterable[str]) -> dict[str, str]:
    roles = {"family": Role.FAMILY, "given": Role.GIVEN, "patronymic": Role.PATRONYMIC}
    hints: dict[str, str] = {}
    for part, values in parts.items():
        for value in values:
            for token in tokenize(value):
                hints[token.text.lower()] = roles[part].value
    return hints


def identity_query(
    query_id: str, identity: Mapping[str, Any], *, unit: str = "", pseudonym: str = ""
) -> EnginePerson:
    """An engine query from a decrypted identity: every spelling of the man's name.

    The Cyrillic and Latin full names are separate spellings (a list writes one or the other);
    each name part also tells the engine its role, so that "Fedorovich" is a patronymic even
    where its ending alone would not say so.
    """
    cyrillic = [identity.get(k, "") for k in ("surname", "given_name", "patronymic")]
    latin = [identity.get(k, "") for k in ("surname_latin", "given_name_latin")]
    names = [" ".join(p for p in cyrillic if p), " ".join(p for p in latin if p)]
    names += list(identity.get("other_spellings") or [])
    if pseudonym:
        names.append(pseudonym)
    birth = identity.get("birth_date")  # a date, as reveal_identity returns it
    roles = _hints(
        family=[identity.get("surname", ""), identity.get("surname_latin", "")],
        given=[identity.get("given_name", ""), identity.get("given_name_latin", "")],
        patronymic=[identity.get("patronymic", "")],
    )
    return build_person(
        query_id,
        names,
        roles=roles,
        birth_dates=[birth.isoformat()] if isinstance(birth, date) else [],
        extras={"unit": [unit]} if unit else None,
    )


_lock = threading.Lock()
_indexes: dict[Any, tuple[Any, ScreeningIndex]] = {}


def index_for(watchlist: WatchList) -> ScreeningIndex:
    """The in-memory index of a list's current entries, rebuilt when the list has a new version."""
    version = ListVersion.objects.filter(watchlist=watchlist).values_list("pk", flat=True).first()
    with _lock:
        cached = _indexes.get(watchlist.pk)
        if cached is not None and cached[0] == version:
            return cached[1]
        entries = ListEntry.objects.filter(watchlist=watchlist, removed_in__isnull=True)
        index = ScreeningIndex.build(entry_person(e) for e in entries.iterator(chunk_size=2000))
        _indexes[watchlist.pk] = (version, index)
        return index


def forget_indexes() -> None:
    """Drop every cached index (tests; a process that must let go of decrypted names)."""
    with _lock:
        _indexes.clear()
