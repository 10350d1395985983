"""The substring index behind the case list's search: FTS5 trigrams on SQLite, pg_trgm on
PostgreSQL.

Both index the two case-folded, non-sealed columns the services keep on every case
(``search_text``: pseudonym, city, unit; ``logistics_search_text``: pseudonym and city, what a
volunteer may search). Nothing sealed is ever indexed.

* **PostgreSQL**: a GIN ``gin_trgm_ops`` index on each column; ``LIKE '%…%'`` uses it.
* **SQLite**: an FTS5 table with the trigram tokenizer, kept current by triggers on
  ``cases_case`` (so bulk inserts and every service that writes the columns are covered).
  FTS5 needs an integer row id and a case's key is a UUID, so a small key table gives each
  case a stable integer (the table's implicit rowid may change on VACUUM).

SQLite drops a table's triggers when a migration rebuilds the table (``ALTER`` of a column
is a copy, drop and rename there): ``ensure_installed`` runs after every ``migrate`` and puts
the triggers back, re-filling the index if they were missing. ``migrate`` also refreshes
SQLite's statistics of the table (``ANALYZE``), which its planner needs to start a selective
search from the index.
"""

# Every statement here is built from the constant table names below, never from input:
# ruff: noqa: S608
from __future__ import annotations

import time
from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper

FTS = "cases_case_search"
KEYS = "cases_case_search_key"
VOCAB = "cases_case_search_vocab"  # how many cases hold each trigram
TRIGGERS = ("cases_case_search_ai", "cases_case_search_au", "cases_case_search_ad")
TRIGRAM_INDEXES = ("case_search_text_trgm", "case_logistics_search_text_trgm")
# Queries shorter than a trigram cannot use either index: they scan the column instead.
MIN_INDEXED = 3

_SQLITE_TABLES = [
    f"CREATE TABLE IF NOT EXISTS {KEYS} "
    "(id INTEGER PRIMARY KEY AUTOINCREMENT, case_id char(32) NOT NULL UNIQUE)",
    # Case-sensitive on purpose: both sides are case-folded in Python (str.casefold), which
    # folds Cyrillic and Greek the way the old substring search did.
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS} USING fts5("
    "search_text, logistics_search_text, tokenize = 'trigram case_sensitive 1')",
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {VOCAB} USING fts5vocab({FTS}, 'row')",
]
_KEY_OF = f"(SELECT id FROM {KEYS} WHERE case_id = {{row}}.id)"
_SQLITE_TRIGGERS = [
    f"""CREATE TRIGGER IF NOT EXISTS {TRIGGERS[0]} AFTER INSERT ON cases_case BEGIN
        INSERT INTO {KEYS} (case_id) VALUES (new.id);
        INSERT INTO {FTS} (rowid, search_text, logistics_search_text)
            VALUES ({_KEY_OF.format(row="new")}, new.search_text, new.logistics_search_text);
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS {TRIGGERS[1]}
        AFTER UPDATE OF search_text, logistics_search_text ON cases_case
        WHEN old.search_text IS NOT new.search_text
            OR old.logistics_search_text IS NOT new.logistics_search_text
    BEGIN
        UPDATE {FTS} SET search_text = new.search_text,
            logistics_search_text = new.logistics_search_text
            WHERE rowid = {_KEY_OF.format(row="new")};
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS {TRIGGERS[2]} AFTER DELETE ON cases_case BEGIN
        DELETE FROM {FTS} WHERE rowid = {_KEY_OF.format(row="old")};
        DELETE FROM {KEYS} WHERE case_id = old.id;
    END""",
]
_SQLITE_REFILL = [
    f"DELETE FROM {FTS}",
    f"DELETE FROM {KEYS}",
    f"INSERT INTO {KEYS} (case_id) SELECT id FROM cases_case",
    f"""INSERT INTO {FTS} (rowid, search_text, logistics_search_text)
        SELECT k.id, c.search_text, c.logistics_search_text
        FROM cases_case c JOIN {KEYS} k ON k.case_id = c.id""",
]
_SQLITE_DROP = [
    *(f"DROP TRIGGER IF EXISTS {name}" for name in TRIGGERS),
    f"DROP TABLE IF EXISTS {VOCAB}",
    f"DROP TABLE IF EXISTS {FTS}",
    f"DROP TABLE IF EXISTS {KEYS}",
]
_POSTGRES_INDEXES = [
    f"CREATE INDEX IF NOT EXISTS {TRIGRAM_INDEXES[0]} ON cases_case "
    "USING gin (search_text gin_trgm_ops)",
    f"CREATE INDEX IF NOT EXISTS {TRIGRAM_INDEXES[1]} ON cases_case "
    "USING gin (logistics_search_text gin_trgm_ops)",
]


def _run(connection: BaseDatabaseWrapper, statements: list[str]) -> None:
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def _sqlite_triggers_present(connection: BaseDatabaseWrapper) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name IN (%s, %s, %s)",
            list(TRIGGERS),
        )
        return int(cursor.fetchone()[0])


def install(connection: BaseDatabaseWrapper) -> None:
    """Create the index and fill it from the cases already there (the migration)."""
    if connection.vendor == "sqlite":
        _run(connection, [*_SQLITE_TABLES, *_SQLITE_REFILL, *_SQLITE_TRIGGERS])
    elif connection.vendor == "postgresql":
        _run(connection, _POSTGRES_INDEXES)


def uninstall(connection: BaseDatabaseWrapper) -> None:
    if connection.vendor == "sqlite":
        _run(connection, _SQLITE_DROP)
    elif connection.vendor == "postgresql":
        _run(connection, [f"DROP INDEX IF EXISTS {name}" for name in TRIGRAM_INDEXES])


def ensure_installed(connection: BaseDatabaseWrapper) -> bool:
    """Put back what a rebuilt ``cases_case`` lost; True if something had to be restored.

    Only where the migration already installed the index (its tables exist)."""
    if connection.vendor != "sqlite":
        return False
    if FTS not in connection.introspection.table_names():
        return False
    if _sqlite_triggers_present(connection) == len(TRIGGERS):
        return False
    # Rows written while the triggers were gone are not in the index: fill it anew.
    _run(connection, [*_SQLITE_REFILL, *_SQLITE_TRIGGERS])
    return True


def after_migrate(sender: Any, using: str = "default", **kwargs: Any) -> None:
    """``post_migrate`` receiver (connected in ``CasesConfig.ready``)."""
    from django.db import connections

    connection = connections[using]
    ensure_installed(connection)
    analyze(connection)


def analyze(connection: BaseDatabaseWrapper) -> None:
    """Give SQLite's planner the table's statistics.

    Without them it guesses that the organization's index narrows a search more than the
    FTS matches do, and scans every case of the organization. PostgreSQL keeps its own
    (autovacuum)."""
    if connection.vendor == "sqlite" and "cases_case" in connection.introspection.table_names():
        _run(connection, ["ANALYZE cases_case"])


def fts_phrase(text: str) -> str:
    """``text`` as one FTS5 phrase: a substring, whatever quotes or operators it holds."""
    return '"' + text.replace('"', '""') + '"'


def trigrams(text: str) -> list[str]:
    """The trigrams FTS5's trigram tokenizer makes of ``text`` (every three characters)."""
    return list(dict.fromkeys(text[i : i + 3] for i in range(len(text) - 2)))


# How many cases hold a trigram, per database, remembered for a few minutes: counting reads
# the trigram's whole list of cases (12 ms for "uni", which every unit holds), and the counts
# only choose the plan (LIKE decides what matches), so a slightly old count does no harm.
_COUNTS: dict[tuple[str, str], tuple[float, int]] = {}
_COUNTS_FOR = 300.0
_COUNTS_MAX = 50_000


def trigram_counts(connection: BaseDatabaseWrapper, text: str) -> list[tuple[str, int]]:
    """(trigram, number of cases holding it) for each trigram of ``text``, rarest first."""
    now = time.monotonic()
    counts = {}
    missing = []
    for gram in trigrams(text):
        known = _COUNTS.get((connection.alias, gram))
        if known is not None and now - known[0] < _COUNTS_FOR:
            counts[gram] = known[1]
        else:
            missing.append(gram)
    if missing:
        # One lookup per term: fts5vocab answers "term = ?" from its index, but scans for IN.
        one = f"SELECT term, doc FROM {VOCAB} WHERE term = %s"
        with connection.cursor() as cursor:
            cursor.execute(" UNION ALL ".join([one] * len(missing)), missing)
            found = dict(cursor.fetchall())
        if len(_COUNTS) > _COUNTS_MAX:
            _COUNTS.clear()
        for gram in missing:
            counts[gram] = int(found.get(gram, 0))
            _COUNTS[(connection.alias, gram)] = (now, counts[gram])
    return sorted(counts.items(), key=lambda pair: pair[1])
