"""The bridge to the screening engine (``tropa.lib.screening``): stored entries ↔ engine persons,
queries from identities, and the shared index of each list version.

The candidate index of a list version is built once, into a file that every process maps
(``index_store``); only the candidates of a query are read from the database (and unsealed,
for an organization's list) and scored. The name tagger runs in one process under ``tropa run``
(``tropa.lib.screening.tagger``), not in each web worker.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import TYPE_CHECKING, Any

from tropa.crypto.fields import unseal
from tropa.lib.screening.model import (
    Person as EnginePerson,
)
from tropa.lib.screening.model import (
    Role,
    parse_birth_date,
    parse_name,
    tokenize,
)

from .models import ListEntry, WatchList

if TYPE_CHECKING:
    from tropa.lib.screening.shared import SharedIndex


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


def index_for(watchlist: WatchList) -> SharedIndex:
    """The shared index of a list's current version (built by the first process that needs it)."""
    from .index_store import open_index

    return open_index(watchlist)


def forget_indexes() -> None:
    """Let go of every mapped index (tests; a process that must let go of a list)."""
    from .index_store import forget

    forget()
