"""Inserting rows already in database form: COPY on PostgreSQL, batched INSERTs on SQLite."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection
from django.db.models import Field

from ..models import (
    Request,
    StatusChange,
)


@contextmanager
def _large_page_cache(cursor: Any) -> Iterator[None]:
    """A page cache large enough for the indexes of a big import, on SQLite.

    Random UUID keys land all over their B-trees; with SQLite's default 2 MB cache every
    insert then reads and writes pages from disk, and an import of 100,000 rows spends most
    of its time waiting for it.
    """
    cursor.execute("PRAGMA cache_size")
    (previous,) = cursor.fetchone()
    cursor.execute("PRAGMA cache_size = -262144")  # 256 MB, in KiB
    try:
        yield
    finally:
        cursor.execute(f"PRAGMA cache_size = {int(previous)}")


def _column(model: type[Request] | type[StatusChange], name: str) -> str:
    field = model._meta.get_field(name)
    assert isinstance(field, Field) and field.column
    return field.column


def insert_rows(model: type[Request] | type[StatusChange], rows: list[dict[str, Any]]) -> None:
    """Insert rows whose values are already in database form: COPY on PostgreSQL, batched
    multi-row INSERTs on SQLite."""
    if not rows:
        return
    names = list(rows[0])
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = ", ".join(quote(_column(model, name)) for name in names)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(tuple(row[n] for n in names))
            return
        placeholders = ", ".join(["%s"] * len(names))
        # Table and column names come from the model, values travel as parameters.
        sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"  # noqa: S608
        with _large_page_cache(cursor):
            for start in range(0, len(rows), 5000):
                batch = rows[start : start + 5000]
                cursor.executemany(sql, [tuple(r[n] for n in names) for r in batch])
