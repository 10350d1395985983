"""`tropa lists import`: FollowTheMoney and CSV lists, refused files, incremental versions."""

from __future__ import annotations

import json
from collections.abc import Callable
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from tropa.accounts.models import Organization
from tropa.audit.models import AuditEntry
from tropa.screening import services
from tropa.screening.engine import read_entry
from tropa.screening.models import ListEntry, ListVersion, WatchList

from .conftest import NAMESAKE, OTHER, SHCHERBAKOV, person


def run(*args: str) -> str:
    out = StringIO()
    call_command("lists", *args, stdout=out)
    return out.getvalue()


def test_it_imports_a_followthemoney_list(write_ftm: Callable[..., Path], db: Any) -> None:
    company = {"id": "c1", "schema": "Company", "properties": {"name": ["Wagner LLC"]}}
    path = write_ftm(SHCHERBAKOV, NAMESAKE, company)
    out = run("import", str(path), "--name", "OpenSanctions")
    assert "version 1 stored, 2 people: 2 added, 0 changed, 0 removed" in out
    watchlist = WatchList.objects.get(name="OpenSanctions")
    assert watchlist.is_published
    version = ListVersion.objects.get(watchlist=watchlist)
    assert (version.number, version.entries, version.added) == (1, 2, 2)
    assert len(version.sha256) == 64
    entry = ListEntry.objects.get(watchlist=watchlist, key="os-shcherbakov")
    assert entry.data is not None and entry.sealed is None
    assert entry.data["names"][0] == "Shcherbakov Iurii Fedorovich"
    assert AuditEntry.objects.filter(action="screening.list_imported").count() == 1


def test_it_reads_targets_nested_json(write_ftm: Callable[..., Path], db: Any) -> None:
    nested = dict(SHCHERBAKOV)
    nested["properties"] = {
        **SHCHERBAKOV["properties"],
        "sanctions": [{"id": "s1", "schema": "Sanction", "properties": {"authority": ["EU"]}}],
    }
    path = write_ftm(nested, name="targets.nested.json")
    out = run("import", str(path), "--name", "Targets")
    assert "1 added" in out


def test_it_refuses_a_file_with_bad_lines_and_names_each(
    write_ftm: Callable[..., Path], db: Any
) -> None:
    path = write_ftm(SHCHERBAKOV, "{not json", NAMESAKE, person("x", schema="Starship"))
    with pytest.raises(CommandError) as refused:
        run("import", str(path), "--name", "OpenSanctions")
    message = str(refused.value)
    assert "refused" in message and "line 2:" in message and "line 4:" in message
    assert "Starship" in message
    assert not WatchList.objects.exists() and not ListEntry.objects.exists()


def test_it_refuses_a_file_that_is_not_followthemoney(tmp_path: Path, db: Any) -> None:
    path = tmp_path / "people.json"
    path.write_text(json.dumps([{"name": "Ivanov"}]) + "\n")
    with pytest.raises(CommandError, match="not a FollowTheMoney JSON lines file"):
        run("import", str(path), "--name", "OpenSanctions")
    assert not WatchList.objects.exists()


def test_it_updates_a_list_incrementally(write_ftm: Callable[..., Path], db: Any) -> None:
    run("import", str(write_ftm(SHCHERBAKOV, NAMESAKE, name="v1.json")), "--name", "OS")
    first = ListEntry.objects.get(key="os-shcherbakov")
    changed = person(
        "os-namesake", name=["Yuriy Shcherbakov"], birthDate=["1961-02-12"], topics=["role.pep"]
    )
    out = run("import", str(write_ftm(SHCHERBAKOV, changed, OTHER, name="v2.json")), "--name", "OS")
    assert "version 2 stored, 3 people: 1 added, 1 changed, 0 removed" in out
    # An unchanged entity keeps its row (hits refer to it).
    assert ListEntry.objects.get(key="os-shcherbakov").pk == first.pk
    out = run("import", str(write_ftm(SHCHERBAKOV, name="v3.json")), "--name", "OS")
    assert "version 3 stored, 1 people: 0 added, 0 changed, 2 removed" in out
    assert set(ListEntry.objects.values_list("key", flat=True)) == {"os-shcherbakov"}
    # The same file again is not a new version.
    out = run("import", str(write_ftm(SHCHERBAKOV, name="v3.json")), "--name", "OS")
    assert "unchanged" in out
    assert list(ListVersion.objects.values_list("number", "added", "changed", "removed")) == [
        (3, 0, 0, 2),
        (2, 1, 1, 0),
        (1, 2, 0, 0),
    ]
    shown = run("show")
    assert "OS" in shown and "v3" in shown and "published" in shown


def test_it_seals_an_organization_list(
    write_csv: Callable[..., Path], astana: Organization, db: Any
) -> None:
    path = write_csv(
        "r1,Щербаков Юрий,Shcherbakov Yuri;Scherbakow Juri,1980-05-03,,в/ч 00001",
        "r2,Петров Пётр,,1990,,",
    )
    out = run("import", str(path), "--name", "Astana informants", "--org", "Astana")
    assert "2 added" in out
    watchlist = WatchList.objects.get(name="Astana informants")
    assert watchlist.organization == astana
    entries = list(ListEntry.objects.filter(watchlist=watchlist))
    assert all(e.data is None and e.sealed for e in entries)
    assert all(e.key not in ("r1", "r2") for e in entries)
    with connection.cursor() as cursor:
        cursor.execute("SELECT key, digest, sealed FROM screening_listentry")
        rows = cursor.fetchall()
    dump = repr(rows)
    assert "Щербаков" not in dump and "Shcherbakov" not in dump
    assert all("Щербаков".encode() not in bytes(r[2]) for r in rows)
    assert services.entry_caption(read_entry(ListEntry.objects.get(pk=entries[0].pk))) in (
        "Щербаков Юрий",
        "Петров Пётр",
    )


def test_it_refuses_a_csv_with_bad_lines(write_csv: Callable[..., Path], astana: Any) -> None:
    path = write_csv("r1,Щербаков Юрий,,,,", ",no id,,,,", "r3,,,,,")
    with pytest.raises(CommandError) as refused:
        run("import", str(path), "--name", "Own", "--org", "Astana")
    assert "line 3:" in str(refused.value) and "line 4:" in str(refused.value)
    assert not WatchList.objects.exists()


def test_it_refuses_an_unknown_organization(write_csv: Callable[..., Path], db: Any) -> None:
    with pytest.raises(CommandError, match="no organization named"):
        run("import", str(write_csv("r1,Иванов Иван,,,,")), "--name", "Own", "--org", "Nowhere")


def test_a_list_name_cannot_change_owner(
    write_ftm: Callable[..., Path], write_csv: Callable[..., Path], astana: Any
) -> None:
    run("import", str(write_ftm(SHCHERBAKOV)), "--name", "OS")
    with pytest.raises(CommandError, match="exists already"):
        run("import", str(write_csv("r1,Иванов Иван,,,,")), "--name", "OS", "--org", "Astana")
