"""Lists uploaded in the browser: streamed and encrypted, imported whole or refused, versions
and what changed, re-screening with progress, deletion. Through the real upload path."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.urls import reverse

from tropa.accounts.models import User
from tropa.audit.models import AuditEntry
from tropa.cases import services as cases
from tropa.cases.models import Case
from tropa.screening import index_store, services, uploads
from tropa.screening.models import (
    HitStatus,
    ImportState,
    ListChange,
    ListEntry,
    ListImport,
    ListVersion,
    ScreeningHit,
    WatchList,
)

from .conftest import NAMESAKE, OTHER, SHCHERBAKOV, SURNAME

LIST = "Our own list"


def ftm(*entities: dict[str, Any]) -> bytes:
    return b"".join(json.dumps(e, ensure_ascii=False).encode() + b"\n" for e in entities)


def post(client: Client, data: bytes, *, name: str = LIST, filename: str = "list.ftm.json") -> Any:
    upload = SimpleUploadedFile(filename, data, content_type="application/octet-stream")
    return client.post(reverse("screening:list_upload"), {"name": name, "file": upload})


@pytest.fixture
def upload(
    signed_in: Callable[[User], Client],
    coordinator: User,
    django_capture_on_commit_callbacks: Any,
) -> Callable[..., Any]:
    """Upload as the coordinator and let the worker's task run; returns the response."""
    client = signed_in(coordinator)

    def send(data: bytes, **kwargs: Any) -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            return post(client, data, **kwargs)

    return send


def messages_of(response: Any) -> str:
    return " ".join(str(m) for m in response.context["messages"]) if response.context else ""


def test_an_upload_is_imported_with_its_progress_page(
    upload: Callable[..., Any], signed_in: Callable[[User], Client], coordinator: User
) -> None:
    response = upload(ftm(SHCHERBAKOV, NAMESAKE))
    row = ListImport.objects.unscoped().get()
    assert response.status_code == 302 and response["Location"] == row.get_absolute_url()
    assert row.state == ImportState.DONE and row.version is not None
    assert (row.version.number, row.version.entries, row.version.added) == (1, 2, 2)
    assert not uploads.file_of(row).exists()  # deleted once read
    watchlist = WatchList.objects.get(name=LIST)
    assert watchlist.organization == coordinator.organization
    page = signed_in(coordinator).get(row.get_absolute_url())
    assert "Version 1: 2 people; 2 added" in page.content.decode()
    entry = AuditEntry.objects.get(action="screening.list_uploaded")
    assert entry.detail["size"] == row.size


def test_the_file_waits_on_disk_encrypted(
    signed_in: Callable[[User], Client],
    coordinator: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as queued:
        post(signed_in(coordinator), ftm(SHCHERBAKOV))
    row = ListImport.objects.unscoped().get()
    stored = uploads.file_of(row).read_bytes()
    assert b"Shcherbakov" not in stored and b"os-shcherbakov" not in stored
    assert row.state == ImportState.QUEUED and len(queued) == 1
    queued[0]()
    row.refresh_from_db()
    assert row.state == ImportState.DONE
    assert ListEntry.objects.get(watchlist=row.watchlist).data is None  # sealed


def test_a_second_upload_shows_what_changed_and_names_only_to_reviewers(
    upload: Callable[..., Any],
    signed_in: Callable[[User], Client],
    coordinator: User,
    admin_user: User,
) -> None:
    upload(ftm(SHCHERBAKOV, NAMESAKE))
    changed = {**NAMESAKE, "properties": {**NAMESAKE["properties"], "birthDate": ["1971"]}}
    upload(ftm(changed, OTHER))
    version = ListVersion.objects.get(watchlist__name=LIST, number=2)
    assert (version.added, version.changed, version.removed) == (1, 1, 1)
    kinds = dict(ListChange.objects.filter(version=version).values_list("kind", "sealed"))
    assert all(kinds.values())  # an organization's list: the names are sealed
    url = reverse("screening:version", args=[version.code])
    removed = signed_in(coordinator).get(url, {"kind": "removed"}).content.decode()
    assert "Shcherbakov Iurii Fedorovich" in removed
    viewed = AuditEntry.objects.get(action="screening.list_changes_viewed")
    assert viewed.detail == {"kind": "removed", "shown": 1}
    hidden = signed_in(admin_user).get(url, {"kind": "removed"}).content.decode()
    assert "Shcherbakov" not in hidden and "those who decide" in hidden


@pytest.mark.parametrize(
    ("data", "filename", "said"),
    [
        (
            ftm(SHCHERBAKOV) + b'{"id": "x", "schema": "Person"\n' + ftm(NAMESAKE),
            "l.json",
            "line 2",
        ),
        (b"name;surname\nfoo;bar\n", "l.json", "not a FollowTheMoney JSON lines file"),
        (b"name,alias\nfoo,bar\n", "l.csv", "the column(s) id are missing"),
        (ftm(SHCHERBAKOV, SHCHERBAKOV), "l.json", "appears more than once"),
        (
            ftm({"id": "c", "schema": "Company", "properties": {"name": ["X"]}}),
            "l.json",
            "no person",
        ),
        (b"id,name\nx1,\xff\xfe\n", "l.csv", "Line 2 is not UTF-8"),
    ],
)
def test_a_bad_file_is_refused_whole_with_what_was_wrong(
    upload: Callable[..., Any],
    signed_in: Callable[[User], Client],
    coordinator: User,
    data: bytes,
    filename: str,
    said: str,
) -> None:
    upload(data, filename=filename)
    row = ListImport.objects.unscoped().get()
    assert row.state == ImportState.FAILED
    assert not ListVersion.objects.exists() and not ListEntry.objects.exists()
    page = signed_in(coordinator).get(row.get_absolute_url()).content.decode()
    assert said in page.replace("&#x27;", "'")
    assert AuditEntry.objects.filter(action="screening.list_import_failed").exists()


def test_an_empty_a_repeated_and_a_too_large_file_are_refused_at_once(
    upload: Callable[..., Any],
) -> None:
    assert "file is empty" in messages_of(_follow(upload, b""))
    _follow(upload, ftm(SHCHERBAKOV))
    again = _follow(upload, ftm(SHCHERBAKOV))
    assert "current version (1) already" in messages_of(again)
    with override_settings(TROPA_SCREENING_MAX_LIST_BYTES=100):
        big = _follow(upload, ftm(SHCHERBAKOV, NAMESAKE, OTHER))
    assert "larger than" in messages_of(big)
    assert ListImport.objects.unscoped().count() == 1
    assert list(uploads.upload_dir().iterdir()) == []


def _follow(upload: Callable[..., Any], data: bytes) -> Any:
    response = upload(data)
    client = response.wsgi_request and response.client
    return client.get(response["Location"])


def test_after_an_import_open_cases_are_screened_with_progress(
    upload: Callable[..., Any], listed_case: Case
) -> None:
    upload(ftm(SHCHERBAKOV, NAMESAKE))
    row = ListImport.objects.unscoped().get()
    assert (row.state, row.cases_total, row.cases_done) == (ImportState.DONE, 1, 1)
    assert (
        ScreeningHit.objects.for_organization(listed_case.organization)
        .filter(case=listed_case)
        .exists()
    )


def test_deleting_a_list_dismisses_its_pending_hits_and_keeps_decided_ones(
    upload: Callable[..., Any],
    signed_in: Callable[[User], Client],
    coordinator: User,
    listed_case: Case,
    django_capture_on_commit_callbacks: Any,
) -> None:
    twin = cases.create_case(
        actor=coordinator, organization=listed_case.organization, pseudonym="Twin"
    )
    identity = {"surname": SURNAME, "given_name": "Юрий", "birth_date": date(1980, 5, 3)}
    cases.save_identity(actor=coordinator, person=twin.person, data=identity)
    upload(ftm(SHCHERBAKOV, NAMESAKE))
    watchlist = WatchList.objects.get(name=LIST)
    hits = list(ScreeningHit.objects.for_organization(coordinator.organization).order_by("pk"))
    assert len(hits) == 2  # one to confirm, one left pending
    services.decide_hit(actor=coordinator, hit=hits[0], confirm=True, reason="checked")
    client = signed_in(coordinator)
    url = reverse("screening:list_delete", args=[watchlist.code])
    assert "Hits still waiting" in client.get(url).content.decode()
    index_files = lambda: list(index_store.index_dir().glob(f"{watchlist.pk}.*"))  # noqa: E731
    assert index_files(), "re-screening after the upload built the list's shared index"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url)
    assert not WatchList.objects.filter(pk=watchlist.pk).exists()
    assert index_files() == []
    kept = {h.pk: h for h in ScreeningHit.objects.for_organization(coordinator.organization)}
    assert kept[hits[0].pk].status == HitStatus.CONFIRMED
    for hit in hits[1:]:
        assert kept[hit.pk].status == HitStatus.DISMISSED
        assert services.read_reason(kept[hit.pk]) == f"The list “{LIST}” was deleted."
    assert AuditEntry.objects.filter(action="screening.list_deleted").count() == 1


def test_a_published_list_is_not_deleted_nor_uploaded_to_in_the_browser(
    write_ftm: Callable[..., Any],
    signed_in: Callable[[User], Client],
    coordinator: User,
    volunteer: User,
) -> None:
    services.import_list(actor=None, path=write_ftm(SHCHERBAKOV), name="OpenSanctions")
    published = WatchList.objects.get(name="OpenSanctions")
    client = signed_in(coordinator)
    assert client.post(reverse("screening:list_delete", args=[published.code])).status_code == 403
    response = post(client, ftm(NAMESAKE), name="OpenSanctions")
    assert "exists already" in messages_of(client.get(response["Location"]))
    assert ListVersion.objects.filter(watchlist=published).count() == 1
    assert post(signed_in(volunteer), ftm(NAMESAKE)).status_code == 403
