"""The case list's queries: search through the substring index, and keyset pagination.

A page is found by where the previous one ended (the sort key of its last row), never by an
OFFSET: page 1,000 costs what page 2 costs. The position travels in an opaque, signed cursor
(``?cursor=…``); it names no person, only the sort key (alert flag, risk, time of the last
change, the case's random code).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core import signing
from django.db import connection, models
from django.db.models import F, Func, Value
from django.db.models.expressions import RawSQL
from django.db.models.lookups import GreaterThan, LessThan

from . import search_index
from .models import Case, CaseQuerySet

PAGE_SIZE = 50
LAST = "last"
_SALT = "tropa.cases.list.cursor"
# Sort key of the list, most urgent first; ``code`` makes it unique (ties in the others).
_KEY = ("has_active_alert", "risk_rank", "updated_at", "code")
ORDER = tuple(f"-{name}" for name in _KEY)
# On SQLite a search whose trigrams match at most this many cases is driven from the FTS
# index; a broader one scans the organization's cases in list order and stops at a page.
_SELECTIVE = 5000


def search(cases: CaseQuerySet, column: str, text: str) -> CaseQuerySet:
    """Cases whose ``column`` (``search_text`` or ``logistics_search_text``) contains the
    case-folded ``text``."""
    if column not in ("search_text", "logistics_search_text"):
        raise ValueError(column)
    folded = text.strip().casefold()
    # Always the substring test itself: on PostgreSQL, LIKE '%…%' uses the pg_trgm GIN index
    # (three characters or more); on SQLite the FTS5 candidates below narrow it first.
    found = cases.filter(**{f"{column}__contains": folded})
    if connection.vendor != "sqlite" or len(folded) < search_index.MIN_INDEXED:
        return found
    counts = search_index.trigram_counts(connection, folded)
    if counts[0][1] > _SELECTIVE:
        # Even its rarest trigram is in many cases: the list's own order, read until a page
        # is full, is quicker than fetching every candidate.
        return found
    # Matching every trigram costs as much as the commonest ("uni" of "unit 42" is in every
    # case): the rarest, and others only if rare too, narrow it; LIKE confirms each candidate.
    rare = [gram for n, (gram, count) in enumerate(counts) if n == 0 or count <= _SELECTIVE]
    candidates = (
        f"SELECT k.case_id FROM {search_index.KEYS} k "  # noqa: S608 (names are constants)
        f"JOIN {search_index.FTS} s ON s.rowid = k.id WHERE s.{column} MATCH %s"
    )
    match = " AND ".join(search_index.fts_phrase(gram) for gram in rare[:3])
    return found.filter(pk__in=RawSQL(candidates, [match]))  # noqa: S611 (constants)


def filtered(user: Any, cases: CaseQuerySet, data: dict[str, Any]) -> CaseQuerySet:
    """``cases`` narrowed by the case list's filters (``CaseFilterForm``'s cleaned data); the
    browser's list and the API share it."""
    from tropa.accounts.permissions import Cap, can

    if data["q"].strip():
        # Only the fields this user may see are searched (no unit for volunteers).
        column = "search_text" if can(user, Cap.VIEW_SERVICE_RECORD) else "logistics_search_text"
        cases = search(cases, column, data["q"])
    for name in ("stage", "risk", "country"):
        if data[name]:
            cases = cases.filter(**{name: data[name]})
    if data["mine"]:
        cases = cases.filter(assignee=user)
    if data["alert"]:
        cases = cases.filter(has_active_alert=True)
    return cases


class _Row(Func):
    """A row value, ``(a, b, c)``: compared as a whole, so that an index on the same columns
    finds the position directly (SQLite and PostgreSQL both)."""

    function = ""
    template = "(%(expressions)s)"
    output_field = models.TextField()


def _key_of(case: Case) -> list[Any]:
    return [case.has_active_alert, case.risk_rank, case.updated_at.isoformat(), case.code.hex]


def _after(key: list[Any], *, before: bool) -> Any:
    alert, risk, updated, code = key
    values = _Row(
        Value(bool(alert), models.BooleanField()),
        Value(int(risk), models.IntegerField()),
        Value(datetime.fromisoformat(updated), models.DateTimeField()),
        Value(code, models.UUIDField()),
    )
    columns = _Row(*(F(name) for name in _KEY))
    # The list runs downwards; "before" a row is above it.
    return GreaterThan(columns, values) if before else LessThan(columns, values)


def make_cursor(case: Case, *, before: bool, number: int) -> str:
    return signing.dumps({"k": _key_of(case), "b": before, "n": number}, salt=_SALT)


def _read_cursor(token: str) -> dict[str, Any] | None:
    try:
        data = signing.loads(token, salt=_SALT)
        datetime.fromisoformat(data["k"][2])
        return data if len(data["k"]) == len(_KEY) else None
    except (signing.BadSignature, KeyError, TypeError, ValueError, IndexError):
        return None


@dataclass(frozen=True)
class CasePage:
    """One page of the list, with the cursors of its neighbours (None: no such page)."""

    cases: list[Case]
    count: int
    number: int
    pages: int
    previous: str | None
    next: str | None

    @property
    def is_last(self) -> bool:
        return self.next is None

    def __iter__(self) -> Any:
        return iter(self.cases)


def page_of(cases: CaseQuerySet, token: str | None, size: int = PAGE_SIZE) -> CasePage:
    """The page ``token`` points at (the first one for none, LAST or a bad token), of ``size``
    rows at most."""
    size = max(1, min(size, PAGE_SIZE))
    count = cases.count()
    pages = max(1, math.ceil(count / size))
    cursor = _read_cursor(token) if token and token != LAST else None
    backwards = token == LAST or bool(cursor and cursor["b"])
    if cursor:
        cases = cases.filter(_after(cursor["k"], before=cursor["b"]))
    order = [name.lstrip("-") for name in ORDER] if backwards else list(ORDER)
    rows = list(cases.order_by(*order)[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    if backwards:
        rows.reverse()
        has_previous, has_next = more, token != LAST
    else:
        has_previous, has_next = cursor is not None, more
    if not has_previous:
        number = 1
    elif not has_next:
        number = pages
    else:
        number = min(max(int(cursor["n"]) if cursor else pages, 2), pages)
    return CasePage(
        cases=rows,
        count=count,
        number=number,
        pages=pages,
        previous=make_cursor(rows[0], before=True, number=number - 1)
        if has_previous and rows
        else None,
        next=make_cursor(rows[-1], before=False, number=number + 1) if has_next and rows else None,
    )
