"""Backups read committed data (pg_dump is another process), so these tests commit.

The audit and custody logs (and testimony versions) refuse DELETE and TRUNCATE, which Django's
flush after a transactional test needs: every trigger that raises is lifted for the flush and
put back, exactly as it was defined, right after it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection

SQLITE_TRIGGERS = "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND sql LIKE %s"
PG_TRIGGERS = """
    SELECT t.tgname, t.tgrelid::regclass::text, pg_get_triggerdef(t.oid)
    FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid
    WHERE NOT t.tgisinternal AND p.prosrc LIKE %s
"""


def _lift_append_only() -> list[str]:
    """Drop the triggers that refuse writes; return the statements that make them again."""
    again = []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(PG_TRIGGERS, ["%RAISE EXCEPTION%"])
            for name, table, definition in cursor.fetchall():
                cursor.execute(f'DROP TRIGGER "{name}" ON {table}')
                again.append(definition)
        else:
            cursor.execute(SQLITE_TRIGGERS, ["%RAISE(ABORT%"])
            for name, definition in cursor.fetchall():
                cursor.execute(f'DROP TRIGGER "{name}"')
                again.append(definition)
    return again


@pytest.fixture
def _append_only_back(django_db_blocker: Any) -> Iterator[list[str]]:
    again: list[str] = []
    yield again
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        for statement in again:
            cursor.execute(statement)


@pytest.fixture
def committed_db(_append_only_back: list[str], transactional_db: None) -> Iterator[None]:
    """A transactional test whose append-only logs can be flushed afterwards."""
    yield
    _append_only_back.extend(_lift_append_only())
