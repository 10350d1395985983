"""Metadata and derived objects (E1, E7), and the task that makes them after ingest."""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from tropa.accounts.models import User
from tropa.audit.actions import Action
from tropa.audit.services import log_action
from tropa.crypto.fields import seal

from .. import custody, memory, seekable, tools, vault
from ..errors import EvidenceError
from ..models import (
    CustodyAction,
    DerivedKind,
    DerivedObject,
    EvidenceItem,
    MetadataStatus,
)
from ..records import read_metadata, read_summary, seal_summary
from ..storage import BlobMissing, get_storage


def _is_visual(item: EvidenceItem) -> bool:
    return item.mime.startswith(("image/", "video/"))


def is_strippable(item: EvidenceItem) -> bool:
    """Only media and PDF get a copy without metadata: mat2 would unpack archives (and
    office files, which are zips), and nothing is unpacked on the server (R16)."""
    return _is_visual(item) or item.mime.startswith("audio/") or item.mime == "application/pdf"


def process_item(item: EvidenceItem, *, stripped: bool = True, poster: bool = True) -> None:
    """Read metadata and make the thumbnail or (with ``poster``) the video poster and
    (with ``stripped``) the copy without metadata.

    Runs after ingest, in the background; a missing or failing tool never undoes an
    ingest, it only leaves the item with less. The tools read the sealed blob through a
    loopback range server (``tools.serve``), one item at a time, one tool at a time: each
    reads what it needs, and no plaintext is written anywhere. ``tropa evidence add`` runs
    it with ``stripped=False, poster=False``: the metadata seeks and reads little, while
    ffmpeg decoding a frame and the copy (a full pass) are left to the worker
    (``queue_stripped``), out of the command's time and memory (issue 19).
    """
    missing = _missing_tools()
    with _served(item) as served:
        exif = _read_metadata(item, served, missing)
        if poster or not item.mime.startswith("video/"):
            _picture_step(item, served, missing)
        if stripped:
            _stripped_step(item, served, exif, missing)
        if served.errors:
            raise served.errors[0]


def make_stripped_copy(item: EvidenceItem) -> None:
    """The worker's half of ``tropa evidence add``: the video poster and the copy without
    metadata, streamed from the sealed blob; the orientation comes from the metadata read
    at ingest."""
    missing = _missing_tools()
    exif = read_metadata(item).get("exiftool")
    with _served(item) as served:
        _picture_step(item, served, missing)
        _stripped_step(item, served, exif, missing)
        if served.errors:
            raise served.errors[0]


def _picture_step(item: EvidenceItem, served: tools.Served, missing: list[str]) -> None:
    """Make the thumbnail or poster if it is still to be made, then say it is no longer
    being made (with or without one: a tool may find no frame)."""
    if _is_visual(item) and "ffmpeg" not in missing:
        video = item.mime.startswith("video/")
        kind = DerivedKind.POSTER if video else DerivedKind.THUMBNAIL
        if not _has_derived(item, kind):
            picture = tools.thumbnail(served)
            if picture:
                _add_derived(item, kind, picture, "image/jpeg", tools.version("ffmpeg") or "ffmpeg")
    if item.poster_pending:
        EvidenceItem.objects.filter(organization=item.organization_id, pk=item.pk).update(
            poster_pending=False
        )
        item.poster_pending = False


def _missing_tools() -> list[str]:
    return [t for t in ("exiftool", "ffprobe", "ffmpeg", "mat2") if not tools.available(t)]


@contextmanager
def _served(item: EvidenceItem) -> Iterator[tools.Served]:
    handle = vault.case_keyset(item.case)
    with seekable.open_sealed(get_storage(), handle, item.blob) as sealed, tools.serve(sealed) as s:
        yield s


def _stripped_step(item: EvidenceItem, served: tools.Served, exif: Any, missing: list[str]) -> None:
    """Make the copy if it is still to be made, then say it is no longer being made."""
    if is_strippable(item) and not _has_derived(item, DerivedKind.STRIPPED):
        _make_stripped(item, served, exif, missing)
    if item.stripped_pending:
        EvidenceItem.objects.filter(organization=item.organization_id, pk=item.pk).update(
            stripped_pending=False
        )
        item.stripped_pending = False


def _read_metadata(item: EvidenceItem, served: tools.Served, missing: list[str]) -> Any:
    exif = tools.exiftool_json(served) if "exiftool" not in missing else None
    probe = None
    if _wants_probe(item, exif) and "ffprobe" not in missing:
        probe = tools.ffprobe_json(served)
    ran = [t for t, said in (("exiftool", exif), ("ffprobe", probe)) if said is not None]
    metadata = {
        "exiftool": exif,
        "ffprobe": probe,
        "normalized": tools.normalize(exif, probe),
        "tools": {t: tools.version(t) for t in ran},
        "read_at": timezone.now().isoformat(timespec="seconds"),
    }
    if exif is None and probe is None:
        status = MetadataStatus.FAILED if not missing else MetadataStatus.PARTIAL
    else:
        status = MetadataStatus.PARTIAL if missing else MetadataStatus.DONE
    name = read_summary(item)["name"]  # the record's name, from the summary if there is one
    with transaction.atomic():
        item.sealed_metadata = seal(item, "sealed_metadata", metadata)
        item.sealed_summary = seal_summary(item, name, metadata)
        item.metadata_status = status
        item.missing_tools = missing
        item.save(
            update_fields=["sealed_metadata", "sealed_summary", "metadata_status", "missing_tools"]
        )
        log_action(None, Action.EVIDENCE_METADATA_READ, item, status=status)
    return exif


def _wants_probe(item: EvidenceItem, exif: Any) -> bool:
    """ffprobe only for video or audio whose duration exiftool could not read: exiftool
    reads the capture time, position, duration, size and codecs of MP4, MOV, Matroska,
    MP3…, and ffprobe (≈ 56 MB, most of it its shared libraries) would run beside Tropa's
    own process for nothing the record lacks (issue 19: ≤ 150 MB for the process tree)."""
    if not item.mime.startswith(("video/", "audio/")):
        return False
    return tools.normalize(exif, None)["duration"] is None


def _make_stripped(item: EvidenceItem, served: tools.Served, exif: Any, missing: list[str]) -> None:
    """Video and audio are stream-copied by ffmpeg at any size; photos and documents up to
    ``tools.WHOLE_COPY_MAX`` go through mat2 (or exiftool where mat2 cannot run)."""
    is_media = item.mime.startswith(("video/", "audio/"))
    streamable = is_media and tools.stream_strippable(item.extension)
    if streamable and "ffmpeg" not in missing and _stream_stripped(item, served):
        return
    if item.size > tools.WHOLE_COPY_MAX:
        return

    def blocks() -> Iterator[bytes]:
        yield from _ranges(served)

    stripped, tool = None, ""
    if tools.mat2_usable(item.size):
        stripped, tool = (
            tools.mat2_strip(blocks(), item.extension, item.size),
            (tools.version("mat2") or ""),
        )
    if stripped is None and "exiftool" not in missing:
        stripped, tool = tools.exiftool_strip(blocks()), tools.version("exiftool") or ""
    turned = tools.orientation(exif)
    if stripped and turned and tool.startswith("mat2") and "exiftool" not in missing:
        kept = tools.restore_orientation(stripped, turned)
        if kept:
            stripped, tool = kept, f"{tool} + {tools.version('exiftool')} -Orientation"
    if stripped:
        _add_derived(item, DerivedKind.STRIPPED, stripped, item.mime, tool)


def _ranges(served: tools.Served) -> Iterator[bytes]:
    """The served file's plaintext in blocks, read from the sealed blob directly."""
    sealed = served.sealed
    for offset in range(0, sealed.size, vault.BLOCK):
        yield sealed.read_at(offset, vault.BLOCK)


# ffmpeg's output is encrypted in small blocks: Tropa holds a few of them while ffmpeg,
# beside it in the same process tree, holds its own buffers (issue 19: ≤ 150 MB).
_COPY_BLOCK = 256 * 1024


def _stream_stripped(item: EvidenceItem, served: tools.Served) -> bool:
    """ffmpeg's copy without metadata, encrypted as it streams out; False if it failed."""
    storage = get_storage()
    key = vault.case_key(item.case)
    try:
        with tools.stream_strip(served, item.extension) as stream:
            written = vault.write_encrypted(
                storage, key, stream.read, limit=2 * item.size + 2**20, block=_COPY_BLOCK
            )
    except (tools.ToolFailed, vault.TooLarge):
        return False
    if written.size == 0:
        storage.delete(written.blob)
        return False
    tool = f"{tools.version('ffmpeg') or 'ffmpeg'} -map_metadata -1"
    _record_derived(item, DerivedKind.STRIPPED, written, item.mime, tool)
    return True


def mark_processing_failed(item: EvidenceItem, *, reason: str) -> None:
    """Making the item's metadata and copies was given up (``reason``: ``worker_died`` or
    ``error``); the item page says so and offers to try again."""
    with transaction.atomic():
        EvidenceItem.objects.filter(organization=item.organization_id, pk=item.pk).update(
            processing_failed_at=timezone.now()
        )
        log_action(None, Action.EVIDENCE_PROCESSING_FAILED, item, reason=reason)


def retry_processing(*, actor: User | None, item: EvidenceItem) -> None:
    """Queue the metadata, thumbnail and stripped copy of a given-up item once more."""
    with transaction.atomic():
        reopened = EvidenceItem.objects.filter(
            organization=item.organization_id, pk=item.pk, processing_failed_at__isnull=False
        ).update(processing_failed_at=None)
        if reopened != 1:
            raise EvidenceError(_("This item is not waiting for another try."))
        log_action(actor, Action.EVIDENCE_PROCESSING_RETRIED, item)
        queue_processing(item)
    item.processing_failed_at = None


def _has_derived(item: EvidenceItem, kind: str) -> bool:
    return DerivedObject.objects.filter(
        organization=item.organization_id, derived_from=item, kind=kind
    ).exists()


def _add_derived(item: EvidenceItem, kind: str, data: bytes, mime: str, tool: str) -> None:
    if _has_derived(item, kind):
        return
    written = vault.write_bytes(get_storage(), vault.case_key(item.case), data)
    _record_derived(item, kind, written, mime, tool)


def _record_derived(
    item: EvidenceItem, kind: str, written: vault.Written, mime: str, tool: str
) -> None:
    storage = get_storage()
    try:
        with transaction.atomic():
            derived = DerivedObject.objects.create(
                organization_id=item.organization_id,
                derived_from=item,
                kind=kind,
                blob=written.blob,
                sha256=written.sha256,
                size=written.size,
                mime=mime,
                tool=tool[:80],
                created_at=timezone.now(),
            )
            custody.append(
                item,
                CustodyAction.DERIVE,
                None,
                object_sha256=derived.sha256,
                derived=str(derived.code),
                kind=kind,
                tool=derived.tool,
            )
    except BaseException:
        storage.delete(written.blob)
        raise


def thumbnail_data_uri(item: EvidenceItem) -> str | None:
    """The thumbnail or poster inline (``data:``), so the page needs no image endpoint."""
    derived = item.derived.filter(kind__in=[DerivedKind.THUMBNAIL, DerivedKind.POSTER]).first()
    if derived is None:
        return None
    try:
        data = vault.read_all(get_storage(), vault.case_key(item.case), derived.blob)
    except (vault.Corrupt, BlobMissing):
        return None
    return "data:image/jpeg;base64," + base64.b64encode(data).decode()


@task()
def process_item_task(item_id: str) -> None:
    """``process_item`` in the background, queued on commit of the ingest (ids, not rows)."""
    _run_for_item(item_id, process_item)


@task()
def make_stripped_task(item_id: str) -> None:
    """``make_stripped_copy`` in the background, queued by ``tropa evidence add``."""
    _run_for_item(item_id, make_stripped_copy)


def _run_for_item(item_id: str, step: Callable[[EvidenceItem], None]) -> None:
    # The range server's and the copy's threads share one heap (each would keep its own
    # freed blocks otherwise), and large buffers go back when freed, beside ffmpeg in the
    # same process tree (issue 19).
    memory.one_heap()
    memory.mapped_buffers()
    item = EvidenceItem.objects.unscoped().select_related("case").filter(pk=item_id).first()
    if item is None:
        return
    try:
        step(item)
    except Exception:
        # Shown on the item page, with a button to try again; the task fails as well.
        mark_processing_failed(item, reason="error")
        raise


def queue_processing(item: EvidenceItem) -> None:
    """Make the item's metadata and copies in the background, once the ingest commits.

    The one place that queues all of it: the upload, ``--defer-metadata`` and the retry
    button.
    """
    _queue(item, process_item_task)


def queue_stripped(item: EvidenceItem) -> None:
    """Make the video poster and the copy without metadata in the background (after
    ``process_item`` with ``stripped=False, poster=False``); the item page says each is
    being made until it is done."""
    _queue(item, make_stripped_task)


def _queue(item: EvidenceItem, to_run: Any) -> None:
    if item.mime.startswith("video/") and not _has_derived(item, DerivedKind.POSTER):
        EvidenceItem.objects.filter(organization=item.organization_id, pk=item.pk).update(
            poster_pending=True
        )
        item.poster_pending = True
    if is_strippable(item) and not _has_derived(item, DerivedKind.STRIPPED):
        EvidenceItem.objects.filter(organization=item.organization_id, pk=item.pk).update(
            stripped_pending=True
        )
        item.stripped_pending = True
    item_id = str(item.pk)
    transaction.on_commit(lambda: to_run.enqueue(item_id))
