"""``tropa evidence add`` leaves the poster and the copy without metadata to the worker
(issue 19).

What the ingest owes at once stays in the command: the SHA-256, the custody entry and the
metadata. The poster (ffmpeg decoding a frame) and the copy (a full pass over the file)
are made by the worker from the sealed blob, and until then the item page says so.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django_tasks_db.models import DBTaskResult

from tropa.accounts.models import User
from tropa.cases.models import Case
from tropa.evidence import services
from tropa.evidence.models import CustodyAction, DerivedKind, EvidenceItem, MetadataStatus
from tropa.evidence.services.derivatives import make_stripped_task
from tropa.evidence.storage import BlobMissing, get_storage

from .conftest import add_file

PENDING_EN = "Copy without metadata: being made"
PENDING_RU = "Копия без метаданных: создаётся"
POSTER_EN = "Poster: being made"
POSTER_RU = "Кадр из видео: создаётся"


def _page(client: Client, item: EvidenceItem, language: str) -> str:
    client.cookies["django_language"] = language
    return client.get(item.get_absolute_url(), HTTP_ACCEPT_LANGUAGE=language).content.decode()


def test_the_command_returns_with_metadata_and_queues_the_poster_and_the_copy(
    canary_case: Case,
    coordinator: User,
    sample_dir: Path,
    signed_in: Callable[[User], Client],
    django_capture_on_commit_callbacks: Any,
) -> None:
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=False) as queued:
        call_command(
            "evidence", "add", str(canary_case.code), str(sample_dir / "video.mp4"), stdout=out
        )
    code = out.getvalue().split()[0]
    item = EvidenceItem.objects.unscoped().get(code=code)
    # What the ingest owes at once: hash, custody entry, metadata.
    assert item.custody.filter(action=CustodyAction.INGEST).exists()
    assert item.metadata_status == MetadataStatus.DONE
    assert services.read_metadata(item)["normalized"]["captured_at"].startswith("2024-02-20")
    assert not item.derived.exists()
    # The poster and the copy are left to the worker; the page says so in the user's language.
    assert item.stripped_pending is True
    assert item.poster_pending is True
    assert len(queued) == 1
    client = signed_in(coordinator)
    assert POSTER_EN in (en := _page(client, item, "en"))
    assert PENDING_EN in en
    assert 'id="stripped-pending"' in (ru := _page(client, item, "ru"))
    assert POSTER_RU in ru
    assert PENDING_RU in ru
    assert 'id="download-stripped"' not in ru
    # The worker (the tests' immediate backend) makes them from the sealed blob.
    queued[0]()
    item.refresh_from_db()
    assert item.stripped_pending is False
    assert item.poster_pending is False
    poster = item.derived.get(kind=DerivedKind.POSTER)
    assert item.custody.filter(action=CustodyAction.DERIVE, object_sha256=poster.sha256).exists()
    assert services.thumbnail_data_uri(item)
    stripped = item.derived.get(kind=DerivedKind.STRIPPED)
    assert stripped.tool.endswith("-map_metadata -1")
    assert item.custody.filter(action=CustodyAction.DERIVE, object_sha256=stripped.sha256).exists()
    page = _page(client, item, "en")
    assert PENDING_EN not in page
    assert POSTER_EN not in page
    assert 'id="download-stripped"' in page


def test_a_file_without_a_copy_is_never_said_to_be_waiting_for_one(
    canary_case: Case, coordinator: User, tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    archive = tmp_path / "chat.zip"
    archive.write_bytes(b"PK\x03\x04" + b"\x00" * 100)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("evidence", "add", str(canary_case.code), str(archive), stdout=io.StringIO())
    item = EvidenceItem.objects.unscoped().get()
    assert item.stripped_pending is False


def test_a_copy_that_fails_is_shown_as_failed_not_as_being_made(
    canary_case: Case,
    coordinator: User,
    sample_dir: Path,
    signed_in: Callable[[User], Client],
    django_capture_on_commit_callbacks: Any,
) -> None:
    item = add_file(canary_case, coordinator, sample_dir / "video.mp4", process=False)
    with django_capture_on_commit_callbacks(execute=False):
        services.queue_stripped(item)
    get_storage().delete(item.blob)  # the stored file vanished before the worker came
    with pytest.raises(BlobMissing):
        make_stripped_task.call(str(item.pk))
    item.refresh_from_db()
    assert item.processing_failed_at is not None
    page = _page(signed_in(coordinator), item, "en")
    assert 'id="processing-failed"' in page
    assert PENDING_EN not in page
    # The poster was not made either: the page says so, not that it is being made.
    assert POSTER_EN not in page
    assert "Poster: could not be made" in page
    assert "Try again" in page


def test_try_again_makes_the_missing_poster(
    canary_case: Case,
    coordinator: User,
    sample_dir: Path,
    signed_in: Callable[[User], Client],
    django_capture_on_commit_callbacks: Any,
) -> None:
    item = add_file(canary_case, coordinator, sample_dir / "video.mp4", process=False)
    services.process_item(item, stripped=False, poster=False)
    services.mark_processing_failed(item, reason="error")
    item.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        services.retry_processing(actor=coordinator, item=item)
    item.refresh_from_db()
    assert item.poster_pending is False
    assert item.derived.filter(kind=DerivedKind.POSTER).count() == 1
    page = _page(signed_in(coordinator), item, "ru")
    assert POSTER_RU not in page
    assert 'id="processing-failed"' not in page


def test_a_copy_task_given_up_after_dead_workers_marks_the_item(
    canary_case: Case, coordinator: User, sample_dir: Path, settings: Any, tmp_path: Path
) -> None:
    from tropa.evidence.tests.test_dead_workers import _dead_worker_task

    settings.DATA_DIR = tmp_path / "data"
    item = add_file(canary_case, coordinator, sample_dir / "video.mp4", process=False)
    _dead_worker_task(str(item.pk), attempts=3, task_path="tropa.evidence.tasks.make_stripped_task")
    assert services.sweep().failed_tasks == 1
    item.refresh_from_db()
    assert item.processing_failed_at is not None
    assert DBTaskResult.objects.get().status == "FAILED"
