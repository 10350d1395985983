"""RAM scratch space and tasks of dead workers (issue 9 #6).

The real kill -9 is in ``test_strip_crash``; these cover the rules around it: only
Tropa's own private directory is cleaned, a live run's workspace stays, what older
versions left is recognised narrowly, and an item whose processing was given up says so
and can be tried again.
"""

from __future__ import annotations

import io
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django_tasks import TaskContext
from django_tasks_db.models import DBTaskResult, get_date_max

from tropa.accounts.models import User
from tropa.audit.models import AuditEntry
from tropa.cases.models import Case
from tropa.core import workers
from tropa.evidence import bundle, services, tools
from tropa.evidence.models import CustodyAction, DerivedKind, ExportRequest, ExportStatus
from tropa.evidence.storage import BlobMissing, get_storage
from tropa.evidence.tasks import process_item_task

from .conftest import add_file


@pytest.fixture
def ram(settings: Any, tmp_path: Path) -> Path:
    """The test's own RAM dir (conftest puts one on /dev/shm, a tmpfs)."""
    settings.DATA_DIR = tmp_path / "data"
    if tools.scratch_root() is None:
        pytest.skip("no tmpfs at /dev/shm here")
    return Path(settings.TROPA_EVIDENCE_RAM_DIR)


def test_a_live_workspace_stays_and_a_dead_ones_goes(ram: Path) -> None:
    with tools._ram_workspace() as work:
        (work / "item.jpg").write_bytes(b"plaintext of a live run")
        assert work.parent == tools.scratch_root()
        assert tools.clean_scratch() == 0
        assert (work / "item.jpg").exists()
    # A run that died: its workspace is there but nobody holds its lock.
    root = tools.scratch_root()
    assert root is not None and root.stat().st_mode & 0o777 == 0o700
    dead = Path(tempfile.mkdtemp(prefix="w-", dir=root))
    (dead / "item.jpg").write_bytes(b"plaintext of a dead run")
    assert tools.clean_scratch() == 1
    assert list(root.iterdir()) == []


def test_other_programs_files_in_ram_are_never_touched(ram: Path) -> None:
    (ram / "PostgreSQL.1234").write_bytes(b"x")
    other = ram / "tropa-notmine"
    other.mkdir()
    (other / "item.jpg").write_bytes(b"y")
    young = ram / "tropa-abcd1234"  # shaped like an older Tropa's, but could be at work
    young.mkdir()
    (young / "item.jpg").write_bytes(b"z")
    foreign = ram / "tropa-zzzz9999"  # old enough, but holds something that is not mat2's
    foreign.mkdir()
    (foreign / "socket").write_bytes(b"")
    old_enough = time.time() - 2 * tools.TOOL_TIMEOUT - 60
    os.utime(foreign / "socket", (old_enough, old_enough))
    os.utime(foreign, (old_enough, old_enough))
    tools.clean_scratch()
    assert {p.name for p in ram.iterdir()} >= {
        "PostgreSQL.1234",
        "tropa-notmine",
        "tropa-abcd1234",
        "tropa-zzzz9999",
    }


def test_what_an_older_tropa_left_is_removed_once_it_cannot_be_at_work(ram: Path) -> None:
    left = ram / "tropa-k2j4h5g6"
    left.mkdir()
    (left / "item.jpg").write_bytes(b"GPS and all")
    old_enough = time.time() - 2 * tools.TOOL_TIMEOUT - 60
    os.utime(left / "item.jpg", (old_enough, old_enough))
    os.utime(left, (old_enough, old_enough))
    assert tools.clean_scratch() == 1
    assert not left.exists()


def test_a_scratch_directory_someone_else_made_is_not_used(ram: Path) -> None:
    root = tools.scratch_root()
    assert root is not None
    root.rmdir()
    root.mkdir(mode=0o777)
    root.chmod(0o777)  # as another user would leave it for us to write into
    assert tools.scratch_root() is None
    # Nothing in it is touched: it is not Tropa's (and mat2 no longer works in the RAM dir).
    (root / "theirs").write_bytes(b"not ours")
    assert tools.clean_scratch() == 0
    assert (root / "theirs").exists()


def _dead_worker_task(
    item_id: str, attempts: int, task_path: str = "tropa.evidence.tasks.process_item_task"
) -> DBTaskResult:
    """The row a worker that died leaves: RUNNING, claimed by ids whose locks nobody holds."""
    workers.lock_dir().mkdir(parents=True, exist_ok=True)
    ids = [workers.new_worker_id() for _ in range(attempts)]
    for worker_id in ids:
        (workers.lock_dir() / f"{worker_id}.lock").touch()
    return DBTaskResult.objects.create(
        status="RUNNING",
        args_kwargs={"args": [item_id], "kwargs": {}},
        task_path=task_path,
        backend_name="default",
        run_after=get_date_max(),  # what an enqueue without a time stores
        worker_ids=ids,
        started_at=workers.timezone.now(),
    )


def test_a_live_workers_task_is_left_alone(db: Any, settings: Any, tmp_path: Path) -> None:
    settings.DATA_DIR = tmp_path / "data"
    worker_id = workers.new_worker_id()
    workers.hold_liveness(worker_id)
    try:
        task = DBTaskResult.objects.create(
            status="RUNNING",
            args_kwargs={"args": [], "kwargs": {}},
            task_path="tropa.evidence.tasks.scheduled_verify_task",
            backend_name="default",
            run_after=workers.timezone.now(),
            worker_ids=[worker_id],
            started_at=workers.timezone.now(),
        )
        assert workers.recover_dead_tasks() == workers.Recovery(0, 0)
        task.refresh_from_db()
        assert task.status == "RUNNING"
    finally:
        os.close(workers._held.pop())
    assert workers.recover_dead_tasks() == workers.Recovery(requeued=1, failed=0)
    task.refresh_from_db()
    assert task.status == "READY"
    assert not list(workers.lock_dir().iterdir())  # the dead worker's lock file is gone


def test_a_given_up_item_says_so_and_can_be_tried_again(
    coordinator: User,
    canary_case: Case,
    sample_dir: Path,
    signed_in: Callable[[User], Client],
    settings: Any,
    tmp_path: Path,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.DATA_DIR = tmp_path / "data"
    item = add_file(canary_case, coordinator, sample_dir / "photo.jpg", process=False)
    task = _dead_worker_task(str(item.pk), attempts=3)
    assert services.sweep().failed_tasks == 1
    task.refresh_from_db()
    assert task.status == "FAILED" and task.exception_class_path.endswith("WorkerDied")
    item.refresh_from_db()
    assert item.processing_failed_at is not None
    assert AuditEntry.objects.filter(action="evidence.processing_failed").count() == 1
    client = signed_in(coordinator)
    page = client.get(item.get_absolute_url()).content.decode()
    assert 'id="processing-failed"' in page
    assert "could not be made" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("evidence:retry_processing", args=[item.code]))
    assert response.status_code == 302
    # The immediate task backend of the tests runs it at once: the copy is there now.
    item.refresh_from_db()
    assert item.processing_failed_at is None
    assert item.derived.filter(kind=DerivedKind.STRIPPED).exists()
    assert AuditEntry.objects.filter(action="evidence.processing_retried").count() == 1
    page = client.get(item.get_absolute_url()).content.decode()
    assert 'id="processing-failed"' not in page
    # Trying again is for a given-up item only.
    again = client.post(reverse("evidence:retry_processing", args=[item.code]), follow=True)
    assert "not waiting for another try" in again.content.decode()


def test_a_failing_step_is_shown_too(
    coordinator: User, canary_case: Case, sample_dir: Path
) -> None:
    item = add_file(canary_case, coordinator, sample_dir / "photo.jpg", process=False)
    # The stored file vanished: reading it for the metadata fails.
    get_storage().delete(item.blob)
    with pytest.raises(BlobMissing):
        process_item_task.call(str(item.pk))
    item.refresh_from_db()
    assert item.processing_failed_at is not None


def _export_killed_mid_build(
    case: Case, coordinator: User, verifier: User, sample_dir: Path
) -> Any:
    """An approved export whose worker died while building it: claimed (being built), and
    the custody logs already say the items left, as the dead run had recorded."""
    items = [add_file(case, coordinator, sample_dir / n) for n in ("photo.jpg", "letter.pdf")]
    export = services.request_export(
        actor=coordinator, case=case, selection={str(i.code): "original" for i in items}
    )
    ExportRequest.objects.unscoped().filter(pk=export.pk).update(status=ExportStatus.APPROVED)
    ExportRequest.objects.unscoped().filter(pk=export.pk).update(status=ExportStatus.BUILDING)
    bundle.prepare_bundle(
        case=case,
        variants=dict.fromkeys(items, "original"),
        actor=coordinator,
        export_code=str(export.code),
    )
    export.refresh_from_db()
    return export, items


def test_an_export_whose_worker_died_is_built_by_the_next_run(
    coordinator: User,
    verifier: User,
    canary_case: Case,
    sample_dir: Path,
    settings: Any,
    tmp_path: Path,
) -> None:
    settings.DATA_DIR = tmp_path / "data"
    export, items = _export_killed_mid_build(canary_case, coordinator, verifier, sample_dir)
    row = _dead_worker_task(str(export.pk), 1, "tropa.evidence.tasks.build_export_task")
    assert workers.recover_dead_tasks() == workers.Recovery(requeued=1, failed=0)
    row.refresh_from_db()
    assert row.status == "READY"
    # A worker claims it again (its second attempt) and runs it.
    row.claim(workers.new_worker_id())
    row.task.call(TaskContext(task_result=row.task_result), str(export.pk))
    export.refresh_from_db()
    assert export.status == ExportStatus.READY
    for item in items:
        actions = list(item.custody.order_by("seq").values_list("action", flat=True))
        # The dead run's "exported" is answered with "not built" before the real one.
        assert actions[-3:] == [
            CustodyAction.EXPORT,
            CustodyAction.EXPORT_ABORTED,
            CustodyAction.EXPORT,
        ], actions
    blocks = services.download_export(actor=coordinator, export=export)
    assert bundle.verify_bundle(io.BytesIO(b"".join(blocks))).ok


def test_an_export_given_up_fails_visibly_and_claims_nothing_left(
    coordinator: User,
    verifier: User,
    canary_case: Case,
    sample_dir: Path,
    signed_in: Callable[[User], Client],
    settings: Any,
    tmp_path: Path,
) -> None:
    settings.DATA_DIR = tmp_path / "data"
    export, items = _export_killed_mid_build(canary_case, coordinator, verifier, sample_dir)
    _dead_worker_task(str(export.pk), 3, "tropa.evidence.tasks.build_export_task")
    assert workers.recover_dead_tasks() == workers.Recovery(requeued=0, failed=1)
    export.refresh_from_db()
    assert export.status == ExportStatus.FAILED and export.failure == "error"
    for item in items:
        assert item.custody.order_by("-seq").first().action == CustodyAction.EXPORT_ABORTED
    page = signed_in(coordinator).get(export.get_absolute_url()).content.decode()
    assert "The bundle could not be built." in page and "Build again" in page
