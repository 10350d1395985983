"""The watchlist pages, and the in-memory index that follows a list's versions."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.urls import reverse

from tropa.accounts.models import Organization, User
from tropa.lib.screening.lists import read_list
from tropa.screening import engine, services
from tropa.screening.models import WatchList

from .conftest import NAMESAKE, SHCHERBAKOV


def test_it_shows_published_and_own_lists_with_their_versions(
    write_ftm: Callable[..., Path],
    write_csv: Callable[..., Path],
    astana: Organization,
    yerevan: Organization,
    verifier: User,
    signed_in: Any,
) -> None:
    services.import_list(actor=None, path=write_ftm(SHCHERBAKOV, name="a.json"), name="OS")
    services.import_list(
        actor=None, path=write_ftm(SHCHERBAKOV, NAMESAKE, name="b.json"), name="OS"
    )
    services.import_list(
        actor=None, path=write_csv("r1,Иванов Иван,,,,"), name="Ours", organization=astana
    )
    services.import_list(
        actor=None,
        path=write_csv("r1,Петров Пётр,,,,", name="y.csv"),
        name="Theirs",
        organization=yerevan,
    )
    client = signed_in(verifier)
    html = client.get(reverse("screening:lists")).content.decode()
    assert "OS" in html and "Ours" in html and "Theirs" not in html
    published = WatchList.objects.get(name="OS")
    detail = client.get(reverse("screening:list_detail", args=[published.code])).content.decode()
    assert detail.count("<tr>") == 3  # the header and two versions
    theirs = WatchList.objects.get(name="Theirs")
    response = client.get(reverse("screening:list_detail", args=[theirs.code]))
    assert response.status_code == 404


def test_the_index_is_rebuilt_only_for_a_new_version(
    write_ftm: Callable[..., Path], db: Any
) -> None:
    report = services.import_list(actor=None, path=write_ftm(SHCHERBAKOV, name="a.json"), name="OS")
    first = engine.index_for(report.watchlist)
    assert engine.index_for(report.watchlist) is first and len(first) == 1
    services.import_list(
        actor=None, path=write_ftm(SHCHERBAKOV, NAMESAKE, name="b.json"), name="OS"
    )
    second = engine.index_for(report.watchlist)
    assert second is not first and len(second) == 2


def test_an_entry_rebuilds_to_the_same_engine_person(
    write_ftm: Callable[..., Path], db: Any
) -> None:
    path = write_ftm(SHCHERBAKOV)
    original = read_list(path)[0]
    report = services.import_list(actor=None, path=path, name="OS")
    entry = report.watchlist.entries.get()
    rebuilt = engine.entry_person(entry)
    assert rebuilt.names == original.names
    assert rebuilt.birth_dates == original.birth_dates
    assert dict(rebuilt.extras) == {k: v for k, v in original.extras.items() if v}
