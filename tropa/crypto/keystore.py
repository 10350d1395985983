"""The key store: each case's data key, in a small SQLite file outside the database.

Values that belong to a case (its person's identity, notes, addresses...) are sealed under a
key of their own, one per person of a case, wrapped by the master keyset. Those wrapped keys
live here, in ``settings.KEYSTORE_DIR``, never in the database: so a database backup holds no
key a later erasure cannot reach, and erasing a case is deleting one row of this file
(``secure_delete`` overwrites it, ``VACUUM`` rewrites the file). The file is the same on
SQLite and PostgreSQL installs: it is local to the server either way.

An erased key leaves a tombstone, so that nothing can seal new data under a fresh key for a
person whose data was erased, and a reader reports "erased" instead of "does not decrypt".
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings

_SCHEMA = """
create table if not exists case_keys (
    subject text primary key,
    organization integer not null,
    wrapped text,
    created_at text not null,
    erased_at text
)
"""


class KeyErased(Exception):
    """This case's data key was destroyed: what was sealed under it cannot be read."""


def path() -> Path:
    directory = Path(settings.KEYSTORE_DIR)
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    directory.chmod(0o700)
    return directory / "case-keys.sqlite3"


@contextmanager
def _connect() -> Iterator[sqlite3.Connection]:
    file = path()
    connection = sqlite3.connect(file, timeout=30, isolation_level=None)
    try:
        file.chmod(0o600)
        connection.execute("pragma secure_delete = on")
        connection.execute("pragma synchronous = full")
        connection.execute(_SCHEMA)
        yield connection
    finally:
        connection.close()


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def get(subject: str) -> str | None:
    """The wrapped key of ``subject``; None if it has none yet. Raises KeyErased."""
    with _connect() as db:
        row = db.execute(
            "select wrapped, erased_at from case_keys where subject = ?", (subject,)
        ).fetchone()
    if row is None:
        return None
    if row[1] is not None:
        raise KeyErased(subject)
    return str(row[0])


def put(subject: str, organization_id: int, wrapped: str) -> str:
    """Store ``wrapped`` unless ``subject`` already has a key; return the key it has."""
    with _connect() as db:
        db.execute("begin immediate")
        db.execute(
            "insert or ignore into case_keys (subject, organization, wrapped, created_at) "
            "values (?, ?, ?, ?)",
            (subject, organization_id, wrapped, _now()),
        )
        db.execute("commit")
    stored = get(subject)
    assert stored is not None
    return stored


def destroy(subject: str, organization_id: int) -> None:
    """Overwrite ``subject``'s key and leave a tombstone; then rewrite the file."""
    with _connect() as db:
        db.execute("begin immediate")
        db.execute(
            "insert or ignore into case_keys (subject, organization, wrapped, created_at) "
            "values (?, ?, null, ?)",
            (subject, organization_id, _now()),
        )
        db.execute(
            "update case_keys set wrapped = null, erased_at = ? where subject = ?",
            (_now(), subject),
        )
        db.execute("commit")
        db.execute("vacuum")


def is_erased(subject: str) -> bool:
    with _connect() as db:
        row = db.execute("select erased_at from case_keys where subject = ?", (subject,)).fetchone()
    return row is not None and row[0] is not None
