"""Migrations 0002–0004 seal the entry links of existing hits and keep them working (R22).

``migration_driver`` runs in its own process with its own database (a fresh SQLite file, or a
fresh database in the PostgreSQL cluster the suite runs on).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[3]
# It makes its own database from TROPA_DATABASE_URL: on PostgreSQL too.
pytestmark = pytest.mark.database


@pytest.fixture
def database_url() -> Iterator[str | None]:
    """None for SQLite; on PostgreSQL a throw-away database next to the test database."""
    url = os.environ.get("TROPA_DATABASE_URL")
    if not url:
        yield None
        return
    from urllib.parse import urlsplit, urlunsplit

    import psycopg

    name = f"tropa_migration_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunsplit(urlsplit(url)._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_existing_hits_are_sealed_and_keep_working(
    tmp_path: Path, database_url: str | None
) -> None:
    env = {
        **os.environ,
        "TROPA_DATA_DIR": str(tmp_path / "data"),
        "DJANGO_SETTINGS_MODULE": "tropa.settings",
    }
    env.pop("TROPA_DATABASE_URL", None)
    if database_url:
        env["TROPA_DATABASE_URL"] = database_url
    result = subprocess.run(
        [sys.executable, "-m", "tropa.screening.tests.migration_driver", str(tmp_path)],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    report: dict[str, Any] = json.loads(result.stdout.splitlines()[-1])
    assert report["gone_entry_kept"] is False  # kept only for its hit: the hit has a copy
    hits = report["hits"]
    assert set(hits) == {"os-shcherbakov", "os-gone"}
    for hit in hits.values():
        assert hit["same_row"] and hit["index_agrees"]
        assert (hit["score"], hit["match"], hit["decision"]) == (0.93, True, "match")
        assert hit["explanation"] == report["explanation"] and hit["watchlist"] == "OS"
    assert hits["os-gone"]["entry"] == report["gone_data"] and not hits["os-gone"]["listed"]
    assert hits["os-shcherbakov"]["listed"] and hits["os-shcherbakov"]["decided_is_digest"]
    assert hits["os-shcherbakov"]["entry"]["names"] == ["Shcherbakov Iurii Fedorovich"]
    assert report["after_screening"] == {"hits": 2, "status": "dismissed"}
    assert report["raw_names_entry"] is False
