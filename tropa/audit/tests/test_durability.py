"""Finding 8 of issue 9: an acknowledged write survives a power loss (P6).

SQLite in WAL mode with ``synchronous=NORMAL`` may lose the last commits when the power goes;
``FULL`` syncs the WAL at every commit.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.db import connection
from django.db.backends.sqlite3.base import DatabaseWrapper

from tropa.settings import sqlite_options


def test_the_default_connection_syncs_every_commit(db: Any) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW synchronous_commit")
            assert cursor.fetchone()[0] == "on"
        else:
            cursor.execute("PRAGMA synchronous")
            assert cursor.fetchone()[0] == 2  # FULL


def test_a_database_file_opened_as_tropa_opens_it_is_wal_and_full(db: Any, tmp_path: Path) -> None:
    """A fresh file with Tropa's SQLite options, also when the suite runs on PostgreSQL."""
    settings_dict = {
        **connection.settings_dict,
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(tmp_path / "probe.sqlite3"),
        "OPTIONS": sqlite_options(),
    }
    wrapper = DatabaseWrapper(settings_dict, alias="probe")
    try:
        with wrapper.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode")
            assert cursor.fetchone()[0] == "wal"
            cursor.execute("PRAGMA synchronous")
            assert cursor.fetchone()[0] == 2  # FULL
    finally:
        wrapper.close()
