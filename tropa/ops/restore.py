"""Restoring a backup into a fresh data dir (and, for PostgreSQL, an empty database).

Nothing is half-restored: every member is written into a temporary directory beside the
target, every hash is checked, the migrations and ``tropa audit verify`` and ``tropa evidence
verify`` run there, and only then is the directory renamed to the target. A PostgreSQL
database that was filled is emptied again when a later step fails.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any, BinaryIO

from django.conf import settings
from django.utils.translation import gettext as _

from . import backup
from .errors import BackupError


def _database_settings(url: str) -> dict[str, Any]:
    import dj_database_url

    if not url.startswith(("postgres://", "postgresql://")):
        raise BackupError(_("The database URL must be a postgres:// URL."))
    return dict(dj_database_url.parse(url))


def _pg_params(url: str) -> dict[str, Any]:
    config = _database_settings(url)
    options = config.get("OPTIONS") or {}
    params = {
        "host": config.get("HOST") or options.get("host"),
        "port": config.get("PORT") or options.get("port"),
        "user": config.get("USER"),
        "password": config.get("PASSWORD"),
        "dbname": config.get("NAME"),
    }
    return {k: v for k, v in params.items() if v}


def _pg_tables(url: str) -> int:
    import psycopg

    with psycopg.connect(**_pg_params(url)) as db:
        row = db.execute(
            "SELECT count(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', "
            "'information_schema')"
        ).fetchone()
    return int(row[0]) if row else 0


def _empty_pg(url: str) -> None:
    import psycopg

    with psycopg.connect(**_pg_params(url), autocommit=True) as db:
        db.execute("DROP SCHEMA public CASCADE")
        db.execute("CREATE SCHEMA public")


def _sink(root: Path) -> backup.Sink:
    def open_member(name: str) -> BinaryIO:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        return path.open("xb")

    return open_member


def _environment(data_dir: Path, keyset: Path, database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "TROPA_DATABASE_URL"}
    env.update(
        DJANGO_SETTINGS_MODULE="tropa.settings",
        TROPA_DATA_DIR=str(data_dir),
        TROPA_EVIDENCE_DIR=str(data_dir / "evidence"),
        TROPA_KEYSET_FILE=str(keyset),
    )
    keystore = getattr(settings, "KEYSTORE_DIR", None)
    if keystore:
        env["TROPA_KEYSTORE_DIR"] = str(keystore)
    if database_url:
        env["TROPA_DATABASE_URL"] = database_url
    return env


def _tropa(args: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(  # noqa: S603  # our own interpreter and command, no shell
        [sys.executable, "-m", "tropa.cli", *args], env=env, capture_output=True, check=False
    )
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).decode(errors="replace").strip().splitlines()[-3:]
        raise BackupError(
            _("'tropa %(command)s' failed in the restored data: %(why)s")
            % {"command": " ".join(args), "why": " / ".join(tail)}
        )


def check_target(data_dir: Path, keyset: Path, database_url: str) -> None:
    if data_dir.exists() and (not data_dir.is_dir() or any(data_dir.iterdir())):
        raise BackupError(_("The target data dir is not empty: restore only into a new one."))
    if not keyset.is_file():
        raise BackupError(
            _(
                "The master keyset %(path)s is not there: restore it first (it is backed up "
                "apart, see docs/operations.md)."
            )
            % {"path": keyset}
        )
    if database_url and _pg_tables(database_url):
        raise BackupError(_("The target PostgreSQL database is not empty."))


def restore(
    source: Path, identity: str, data_dir: Path, *, keyset: Path, database_url: str = ""
) -> backup.Summary:
    """Restore ``source`` into ``data_dir`` (which must be new or empty)."""
    data_dir = data_dir.absolute()
    check_target(data_dir, keyset, database_url)
    data_dir.parent.mkdir(parents=True, exist_ok=True)
    temp = Path(tempfile.mkdtemp(dir=data_dir.parent, prefix=f".{data_dir.name}.restore-"))
    filled_pg = False
    try:
        with source.open("rb") as handle:
            summary = backup.read_backup(handle, identity, _sink(temp))
        db_member = temp / summary.manifest["database"]["member"]
        if summary.engine == "sqlite":
            if database_url:
                raise BackupError(_("This backup is of a SQLite database: leave out the URL."))
            db_member.rename(temp / "tropa.sqlite3")
        else:
            if not database_url:
                raise BackupError(_("This backup is of a PostgreSQL database: give its URL."))
            filled_pg = True
            target = _database_settings(database_url)
            options = ["--no-owner", "--single-transaction", "--exit-on-error"]
            backup.run_pg("pg_restore", [*options, "-d", target["NAME"], str(db_member)], target)
            db_member.unlink()
        db_member.parent.rmdir()
        env = _environment(temp, keyset, database_url)
        # migrate, record-restore, audit verify, evidence verify: one interpreter, not four.
        _tropa(["backup", "finish-restore", "--created-at", summary.created_at], env)
        if data_dir.exists():
            data_dir.rmdir()
        temp.rename(data_dir)
    except BaseException:
        shutil.rmtree(temp, ignore_errors=True)
        if filled_pg:
            _empty_pg(database_url)
        raise
    return summary
