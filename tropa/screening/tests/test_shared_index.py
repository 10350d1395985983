"""The shared index: built once per list version, mapped by every process, sealed for an
organization's list."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tropa.accounts.models import Organization
from tropa.cases.models import Case
from tropa.screening import engine, index_store, services
from tropa.screening.models import WatchList

from .conftest import NAMESAKE, OTHER, SHCHERBAKOV


def _in_child(watchlist: WatchList) -> dict[str, Any]:
    """Open the list's index in a forked process (a fresh one: nothing mapped, no build)."""
    from tropa.lib.screening.tagger import tag_here

    tag_here(["Иван"])  # the tagger loads once, in the parent, not in each child
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child reports through the pipe
        try:
            engine.forget_indexes()
            index_store.builds = 0
            index = engine.index_for(watchlist)
            version = watchlist.versions.first()
            assert version is not None
            path = index_store.index_path(watchlist, version.pk)
            report = {"builds": index_store.builds, "persons": len(index)}
            report["inode"] = path.stat().st_ino
            os.write(write, json.dumps(report).encode())
        finally:
            os._exit(0)
    os.close(write)
    with os.fdopen(read) as answer:
        data = answer.read()
    os.waitpid(pid, 0)
    result: dict[str, Any] = json.loads(data)
    return result


def test_two_processes_one_build_and_a_new_version_gets_a_new_file(
    write_ftm: Callable[..., Path], db: Any
) -> None:
    report = services.import_list(actor=None, path=write_ftm(SHCHERBAKOV, name="a.json"), name="OS")
    first = _in_child(report.watchlist)
    second = _in_child(report.watchlist)
    assert (first["builds"], second["builds"]) == (1, 0)
    assert first["inode"] == second["inode"] and second["persons"] == 1
    services.import_list(
        actor=None, path=write_ftm(SHCHERBAKOV, NAMESAKE, OTHER, name="b.json"), name="OS"
    )
    third = _in_child(report.watchlist)
    assert third["builds"] == 1 and third["persons"] == 3
    files = list(index_store.index_dir().glob(f"{report.watchlist.pk}.*.idx"))
    assert len(files) == 1  # the old version's file is gone


def test_a_process_maps_its_index_once_until_a_new_version(
    write_ftm: Callable[..., Path], db: Any
) -> None:
    report = services.import_list(actor=None, path=write_ftm(SHCHERBAKOV, name="a.json"), name="OS")
    index_store.builds = 0
    first = engine.index_for(report.watchlist)
    assert engine.index_for(report.watchlist) is first and index_store.builds == 1
    engine.forget_indexes()
    assert len(engine.index_for(report.watchlist)) == 1 and index_store.builds == 1


def test_an_organization_list_index_holds_no_name_and_no_plain_key(
    write_csv: Callable[..., Path], astana: Organization, listed_case: Case, db: Any
) -> None:
    from conftest import CANARY, CANARY_LATIN
    from tropa.lib.screening.keys import token_keys
    from tropa.lib.screening.shared import SharedIndex

    rows = [
        f"r1,{CANARY} Иван Петрович,{CANARY_LATIN} Ivan,1979-04-01,,",
        "r2,Щербаков Юрий Фёдорович,Shcherbakov Iurii,1980-05-03,,",
    ]
    report = services.import_list(
        actor=None, path=write_csv(*rows), name="Ours", organization=astana
    )
    run = services.screen_case(actor=None, case=listed_case, watchlists=[report.watchlist])
    assert run.found == 1  # the index works: Щербаков is found through it
    assert report.version is not None
    path = index_store.index_path(report.watchlist, report.version.pk)
    blob = path.read_bytes()
    words = [CANARY, CANARY_LATIN, "Щербаков", "Shcherbakov", "1979", "1980"]
    words += [*token_keys(CANARY), *token_keys("Щербаков")]
    for word in words:
        for form in (word, word.lower(), word.upper()):
            assert form.encode() not in blob, form
    # Without the organization's key the terms answer nothing: a guessed name cannot be tested.
    unkeyed = SharedIndex(path, key=b"", loader=lambda ids: [])
    query = engine.build_person("q", ["Щербаков Юрий Фёдорович"], birth_dates=["1980-05-03"])
    assert unkeyed.candidates(query) == set()
    assert len(engine.index_for(report.watchlist).candidates(query)) == 1
