"""Every write to the evidence vault, each audited and, per item, in the custody log.

Order of a write (R5): ciphertext to a temporary file, fsync, atomic rename, then the
database transaction that refers to it. A crash before the commit leaves only an orphan
blob for ``sweep``; a committed row always has its complete blob.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, BinaryIO

import filetype
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from tropa.accounts.models import Organization, Role
from tropa.accounts.permissions import Cap, can
from tropa.audit.services import log_action
from tropa.cases.models import Case
from tropa.core.errors import ServiceError
from tropa.crypto.fields import seal, unseal

from . import custody, tools, vault
from .models import (
    CustodyAction,
    DeletionRequest,
    DerivedKind,
    DerivedObject,
    EvidenceItem,
    ExportFailure,
    ExportRequest,
    ExportStatus,
    MetadataStatus,
    Method,
    StorageQuota,
    UploadPart,
    UploadSession,
)
from .storage import BlobMissing, get_storage

logger = logging.getLogger(__name__)

GiB = 1024**3


class EvidenceError(ServiceError):
    """A request that cannot be carried out; the message is shown to the user."""


def max_file_bytes() -> int:
    return int(getattr(settings, "TROPA_EVIDENCE_MAX_FILE_BYTES", 16 * GiB))


def default_quota_bytes() -> int:
    return int(getattr(settings, "TROPA_EVIDENCE_QUOTA_BYTES", 500 * GiB))


def quota_bytes(organization: Organization) -> int:
    """The organization's own quota if the operator set one, else the server's default."""
    own = (
        StorageQuota.objects.filter(organization=organization)
        .values_list("quota_bytes", flat=True)
        .first()
    )
    return int(own) if own is not None else default_quota_bytes()


_UNITS = {"": 1, "b": 1, "k": 1024, "m": 1024**2, "g": 1024**3, "t": 1024**4}
_SIZE = re.compile(r"^\s*(\d{1,15}(?:[.,]\d{1,6})?)\s*([kmgt]?)(?:i?b)?\s*$", re.IGNORECASE)


def parse_size(text: str) -> int:
    """Bytes from "500GB", "1.5 TiB", "2,5 GB", "750 M" or "1048576" (powers of 1024)."""
    match = _SIZE.match(text)
    if match is None:
        raise ValueError(f"{text!r} is not a size (write for example 500GB, 1.5TB or 750MB)")
    number = match[1]
    if re.fullmatch(r"\d{1,3},\d{3}", number):
        # "1,000 GB": a thousands separator or a decimal comma? Too costly to guess.
        raise ValueError(f"{text!r} is ambiguous: write 1000GB or 1.0GB")
    size = int(Decimal(number.replace(",", ".")) * _UNITS[match[2].lower()])
    if size >= 2**62:
        raise ValueError(f"{text!r} is more than any disk holds")
    return size


def set_quota(*, actor: Any, organization: Organization, size: int | None) -> None:
    """Give the organization its own quota, or (``None``) return it to the default."""
    with transaction.atomic():
        if size is None:
            StorageQuota.objects.filter(organization=organization).delete()
        else:
            StorageQuota.objects.update_or_create(
                organization=organization, defaults={"quota_bytes": size}
            )
        log_action(
            actor,
            "evidence.quota_set",
            organization,
            organization=organization,
            quota_bytes=size if size is not None else "default",
        )


def space_summary(organization: Organization) -> dict[str, str]:
    """Used, free and total evidence space, for people."""
    quota, used = quota_bytes(organization), used_bytes(organization)
    return {
        "used": human_size(used),
        "free": human_size(max(quota - used, 0)),
        "quota": human_size(quota),
    }


def export_days() -> int:
    return int(getattr(settings, "TROPA_EVIDENCE_EXPORT_DAYS", 7))


def human_size(size: int) -> str:
    """A size for people, in the current language (units of 1024, as the file managers)."""
    units = (_("%(n)s B"), _("%(n)s KB"), _("%(n)s MB"), _("%(n)s GB"), _("%(n)s TB"))
    if size < 1024:
        return units[0] % {"n": number_format(size, 0)}
    value = size / 1024
    for unit in units[1:-1]:
        if value < 1024:
            return unit % {"n": number_format(value, 1)}
        value /= 1024
    return units[-1] % {"n": number_format(value, 1)}


def max_open_uploads() -> int:
    return int(getattr(settings, "TROPA_EVIDENCE_OPEN_UPLOADS", 5))


def used_bytes(organization: Organization) -> int:
    """Stored originals and derived copies, plus what unfinished uploads have received.

    An announced size reserves nothing: uploads that never send a byte cannot hold the
    organization's space (a chunk that would not fit is refused when it arrives).
    """
    items = EvidenceItem.objects.filter(organization=organization).aggregate(s=Sum("size"))["s"]
    derived = DerivedObject.objects.filter(organization=organization).aggregate(s=Sum("size"))["s"]
    received = UploadSession.objects.filter(organization=organization, item__isnull=True).aggregate(
        s=Sum("received")
    )["s"]
    return int(items or 0) + int(derived or 0) + int(received or 0)


def check_limits(organization: Organization, size: int, *, rest_of: int | None = None) -> None:
    """Refuse a file of ``size`` bytes (or the ``rest_of`` an upload) that does not fit."""
    if rest_of is not None:
        free = quota_bytes(organization) - used_bytes(organization)
        if rest_of > free:
            raise EvidenceError(
                _(
                    "Not enough space left for your organization to receive the rest of this "
                    "file (%(rest)s): %(free)s of %(quota)s are free. Whoever runs your Tropa "
                    "server can raise the quota."
                )
                % {
                    "rest": human_size(rest_of),
                    "free": human_size(max(free, 0)),
                    "quota": human_size(quota_bytes(organization)),
                }
            )
        return
    if size > max_file_bytes():
        raise EvidenceError(
            _("The file is %(size)s; the largest file this server accepts is %(limit)s.")
            % {"size": human_size(size), "limit": human_size(max_file_bytes())}
        )
    free = quota_bytes(organization) - used_bytes(organization)
    if size > free:
        raise EvidenceError(
            _(
                "Not enough space left for your organization: the file is %(size)s, "
                "%(free)s of %(quota)s are free. Whoever runs your Tropa server can raise "
                "the quota."
            )
            % {
                "size": human_size(size),
                "free": human_size(max(free, 0)),
                "quota": human_size(quota_bytes(organization)),
            }
        )


# Collection records (E8) ------------------------------------------------------------------


@dataclass
class CollectionRecord:
    """How an item came to Tropa; sealed, because names and sources can identify people."""

    method: str
    received_at: datetime
    source: str = ""
    original_name: str = ""
    file_modified: str = ""
    taken_on: str = ""
    note: str = ""
    tool: str = ""
    received_by: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def clean(self) -> CollectionRecord:
        if self.method not in Method.values:
            raise EvidenceError(_("Choose how the file was received."))
        if timezone.is_naive(self.received_at):
            raise EvidenceError(_("The time of receipt needs a time zone."))
        if self.received_at > timezone.now() + timedelta(minutes=5):
            raise EvidenceError(_("The time of receipt cannot be in the future."))
        # The name is kept as data, never used as a path: only control characters go.
        self.original_name = "".join(
            c for c in self.original_name if c.isprintable() and c not in "\x00"
        )[:255]
        self.source = self.source.strip()[:80]
        self.note = self.note.strip()[:2000]
        if self.taken_on:
            try:
                date.fromisoformat(self.taken_on)
            except ValueError:
                raise EvidenceError(_("The stated date is not a valid date.")) from None
        return self

    def sealed_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["received_at"] = self.received_at.isoformat()
        return data


def read_record(item: EvidenceItem | UploadSession) -> dict[str, Any]:
    return dict(unseal(item, "sealed_record", item.sealed_record) or {})


def read_metadata(item: EvidenceItem) -> dict[str, Any]:
    return dict(unseal(item, "sealed_metadata", item.sealed_metadata) or {})


def _detect(head: bytes) -> tuple[str, str]:
    """Type from content, never from the name (R16)."""
    kind = filetype.guess(head)
    if kind is not None:
        return kind.mime, kind.extension
    if head and b"\x00" not in head and _is_utf8(head):
        return "text/plain", "txt"
    return "application/octet-stream", "bin"


def _is_utf8(head: bytes) -> bool:
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # The head (the first 8 KiB) may end inside a multi-byte character.
        return exc.reason == "unexpected end of data" and exc.start >= len(head) - 3
    return True


# Ingest ---------------------------------------------------------------------------------------


def _commit_item(
    *, actor: Any, case: Case, written: vault.Written, record: CollectionRecord, via: str
) -> EvidenceItem:
    mime, extension = _detect(written.head)
    item = EvidenceItem(
        organization_id=case.organization_id,
        case=case,
        blob=written.blob,
        sha256=written.sha256,
        size=written.size,
        mime=mime,
        extension=extension,
        method=record.method,
        received_at=record.received_at,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        created_at=timezone.now(),
    )
    item.sealed_record = seal(item, "sealed_record", record.sealed_dict())
    try:
        with transaction.atomic():
            item.save(force_insert=True)
            custody.append(item, CustodyAction.INGEST, actor, size=item.size, via=via)
            log_action(
                actor,
                "evidence.added",
                item,
                organization=case.organization,
                case=str(case.code),
                size=item.size,
                via=via,
            )
    except BaseException:
        get_storage().delete(written.blob)
        raise
    return item


def _writable_key(case: Case) -> Any:
    try:
        return vault.case_key(case, create=True)
    except vault.KeyErased:
        raise EvidenceError(
            _("This case's encryption key was destroyed; no evidence can be added to it.")
        ) from None


def add_evidence(
    *,
    actor: Any,
    case: Case,
    source: BinaryIO,
    record: CollectionRecord,
    size_hint: int | None = None,
    via: str = "cli",
) -> EvidenceItem:
    """Ingest a stream: hashed and encrypted block by block, then committed.

    The SHA-256 is over exactly the bytes read from ``source``, before anything else
    looks at them (E1, E2).
    """
    record.clean()
    check_limits(case.organization, size_hint or 0)
    key = _writable_key(case)
    limit = min(max_file_bytes(), quota_bytes(case.organization) - used_bytes(case.organization))
    try:
        written = vault.write_encrypted(get_storage(), key, source.read, limit=limit)
    except vault.TooLarge:
        check_limits(case.organization, limit + 1)
        raise
    return _commit_item(actor=actor, case=case, written=written, record=record, via=via)


# Resumable browser uploads -------------------------------------------------------------------


def start_upload(*, actor: Any, case: Case, size: int, record: CollectionRecord) -> UploadSession:
    record.clean()
    if size <= 0:
        raise EvidenceError(_("The file is empty."))
    check_limits(case.organization, size)
    _writable_key(case)  # refused before any byte is sent, not at the first chunk
    with transaction.atomic():
        # One start at a time per user, so that two at once cannot pass the limit together.
        get_user_model().objects.select_for_update().filter(pk=actor.pk).first()
        open_uploads = UploadSession.objects.filter(created_by=actor, item__isnull=True).count()
        if open_uploads >= max_open_uploads():
            raise EvidenceError(
                _(
                    "You have %(count)s unfinished uploads, as many as this server allows at "
                    "a time. Finish or discard one of them (each is listed on the upload page "
                    "of its case) before starting another."
                )
                % {"count": open_uploads}
            )
        session = UploadSession(
            organization_id=case.organization_id,
            case=case,
            created_by=actor,
            size=size,
            method=record.method,
            received_at=record.received_at,
            created_at=timezone.now(),
        )
        session.sealed_record = seal(session, "sealed_record", record.sealed_dict())
        session.save(force_insert=True)
        log_action(actor, "evidence.upload_started", case, upload=str(session.code), size=size)
    return session


def receive_chunk(
    *, actor: Any, session: UploadSession, offset: int, length: int, read: Callable[[int], bytes]
) -> int:
    """Store one chunk at ``offset`` (encrypted, fsynced, renamed, committed); the new offset.

    A chunk at any other offset than the next expected one is refused, so a client that
    lost track asks for the offset and resumes from there.
    """
    if session.item_id is not None:
        raise EvidenceError(_("This upload is already finished."))
    if offset != session.received:
        raise EvidenceError(
            _("Expected the upload to continue at byte %(offset)s.") % {"offset": session.received}
        )
    if length <= 0 or offset + length > session.size:
        raise EvidenceError(_("The chunk does not fit the announced file size."))
    # Space is taken by what arrives, so it is checked as it arrives: the rest of the file.
    check_limits(session.case.organization, 0, rest_of=session.size - offset)
    remaining = length

    def bounded(n: int) -> bytes:
        nonlocal remaining
        data = read(min(n, remaining)) if remaining else b""
        remaining -= len(data)
        return data

    written = vault.write_encrypted(
        get_storage(), _writable_key(session.case), bounded, limit=length
    )
    if written.size != length:
        get_storage().delete(written.blob)
        raise EvidenceError(_("The chunk arrived incomplete; send it again."))
    try:
        with transaction.atomic():
            locked = UploadSession.objects.select_for_update().filter(pk=session.pk).first()
            if locked is None:
                raise EvidenceError(_("This upload was discarded."))
            if locked.received != offset:
                raise EvidenceError(
                    _("Expected the upload to continue at byte %(offset)s.")
                    % {"offset": locked.received}
                )
            UploadPart.objects.create(
                session=locked,
                index=locked.parts.count(),
                offset=offset,
                size=length,
                sha256=written.sha256,
                blob=written.blob,
            )
            locked.received = offset + length
            locked.save(update_fields=["received"])
    except BaseException:
        get_storage().delete(written.blob)
        raise
    session.received = offset + length
    return session.received


def finish_upload(*, actor: Any, session: UploadSession) -> EvidenceItem:
    """Join the encrypted chunks into one original and commit the item.

    The item's SHA-256 is taken over the received bytes as they come out of the
    authenticated chunks, before any processing; each chunk's own hash is checked too.
    """
    if session.item_id is not None:
        return session.item  # type: ignore[return-value]
    if session.received != session.size:
        raise EvidenceError(_("The upload is not complete yet."))
    storage = get_storage()
    parts = list(session.parts.order_by("index"))

    def blocks(key: Any) -> Iterator[bytes]:
        for part in parts:
            digest = hashlib.sha256()
            for block in vault.iter_plaintext(storage, key, part.blob):
                digest.update(block)
                yield block
            if digest.hexdigest() != part.sha256:
                raise vault.Corrupt(f"upload part {part.index} changed in storage")

    try:
        key = vault.case_key(session.case)
        stream = _BlockReader(blocks(key))
        written = vault.write_encrypted(storage, key, stream.read, limit=session.size)
    except (BlobMissing, vault.Corrupt) as exc:
        # A finish that ran at the same time may have joined the parts and removed them.
        done = UploadSession.objects.filter(pk=session.pk).select_related("item").first()
        if done is not None and done.item is not None:
            return done.item
        if isinstance(exc, vault.KeyErased):
            raise EvidenceError(
                _("This case's encryption key was destroyed; no evidence can be added to it.")
            ) from None
        raise EvidenceError(
            _("The pieces of this upload could not be read back intact; upload the file again.")
        ) from None
    record_data = read_record(session)
    record = CollectionRecord(
        **{
            **record_data,
            "received_at": datetime.fromisoformat(record_data["received_at"]),
        }
    )
    with transaction.atomic():
        locked = UploadSession.objects.select_for_update().filter(pk=session.pk).first()
        if locked is None:  # discarded while it was being joined
            storage.delete(written.blob)
            raise EvidenceError(_("This upload was discarded."))
        if locked.item_id is not None:
            # Another request finished the same upload first: keep its item.
            storage.delete(written.blob)
            return locked.item  # type: ignore[return-value]
        item = _commit_item(
            actor=actor, case=session.case, written=written, record=record, via="browser"
        )
        locked.item = item
        locked.save(update_fields=["item"])
        UploadPart.objects.filter(session=session).delete()
    for part in parts:
        storage.delete(part.blob)
    return item


def may_discard_others_uploads(user: Any) -> bool:
    """Coordinators clear unfinished uploads that others left (or use to hold space)."""
    return can(user, Cap.ADD_EVIDENCE) and getattr(user, "role", None) == Role.COORDINATOR


def others_open_uploads(*, actor: Any, case: Case) -> list[UploadSession]:
    """The unfinished uploads other people left on ``case``, for a coordinator to review."""
    if not may_discard_others_uploads(actor):
        return []
    return list(
        UploadSession.objects.filter(case=case, item__isnull=True)
        .exclude(created_by=actor)
        .select_related("created_by")
        .order_by("created_at")
    )


def discard_upload(*, actor: Any, session: UploadSession) -> None:
    """Give up an unfinished upload: its pieces are deleted and its space is free again.

    Its owner may, and a coordinator may discard anyone's (the owner is in the audit entry).
    """
    if session.created_by_id != actor.pk and not may_discard_others_uploads(actor):
        raise EvidenceError(_("Only the person who started an upload can discard it."))
    with transaction.atomic():
        locked = UploadSession.objects.select_for_update().filter(pk=session.pk).first()
        if locked is None:
            raise EvidenceError(_("This upload was discarded."))
        if locked.item_id is not None:
            raise EvidenceError(_("This upload is already finished."))
        blobs = list(locked.parts.values_list("blob", flat=True))
        UploadPart.objects.filter(session=locked).delete()
        locked.delete()
        log_action(
            actor,
            "evidence.upload_discarded",
            session.case,
            upload=str(session.code),
            received=locked.received,
            owner=str(session.created_by.code),
            by_owner=session.created_by_id == actor.pk,
        )
    storage = get_storage()
    for blob in blobs:
        storage.delete(blob)


class _BlockReader:
    """A ``read(n)`` over an iterator of blocks."""

    def __init__(self, blocks: Iterator[bytes]) -> None:
        self._blocks = blocks
        self._buffer = b""

    def read(self, n: int) -> bytes:
        while len(self._buffer) < n:
            block = next(self._blocks, None)
            if block is None:
                break
            self._buffer += block
        data, self._buffer = self._buffer[:n], self._buffer[n:]
        return data


# Metadata and derived objects (E1, E7) ------------------------------------------------------


def _is_visual(item: EvidenceItem) -> bool:
    return item.mime.startswith(("image/", "video/"))


def is_strippable(item: EvidenceItem) -> bool:
    """Only media and PDF get a copy without metadata: mat2 would unpack archives (and
    office files, which are zips), and nothing is unpacked on the server (R16)."""
    return _is_visual(item) or item.mime.startswith("audio/") or item.mime == "application/pdf"


def process_item(item: EvidenceItem) -> None:
    """Read metadata and make the thumbnail or poster and the stripped copy.

    Runs after ingest, in the background; a missing or failing tool never undoes an
    ingest, it only leaves the item with less.
    """
    storage = get_storage()
    key = vault.case_key(item.case)

    def blocks() -> Iterator[bytes]:
        return vault.iter_plaintext(storage, key, item.blob)

    missing = [t for t in ("exiftool", "ffprobe", "ffmpeg", "mat2") if not tools.available(t)]
    exif = tools.exiftool_json(blocks()) if "exiftool" not in missing else None
    wants_probe = item.mime.startswith(("video/", "audio/"))
    probe = tools.ffprobe_json(blocks()) if wants_probe and "ffprobe" not in missing else None
    metadata = {
        "exiftool": exif,
        "ffprobe": probe,
        "normalized": tools.normalize(exif, probe),
        "tools": {t: tools.version(t) for t in ("exiftool", "ffprobe") if t not in missing},
        "read_at": timezone.now().isoformat(timespec="seconds"),
    }
    if exif is None and probe is None:
        status = MetadataStatus.FAILED if not missing else MetadataStatus.PARTIAL
    else:
        status = MetadataStatus.PARTIAL if missing else MetadataStatus.DONE
    with transaction.atomic():
        item.sealed_metadata = seal(item, "sealed_metadata", metadata)
        item.metadata_status = status
        item.missing_tools = missing
        item.save(update_fields=["sealed_metadata", "metadata_status", "missing_tools"])
        log_action(None, "evidence.metadata_read", item, status=status)
    if _is_visual(item) and "ffmpeg" not in missing:
        picture = tools.thumbnail(blocks())
        if picture:
            kind = DerivedKind.POSTER if item.mime.startswith("video/") else DerivedKind.THUMBNAIL
            _add_derived(item, kind, picture, "image/jpeg", tools.version("ffmpeg") or "ffmpeg")
    strippable = is_strippable(item)
    stripped, tool = None, ""
    if strippable and tools.mat2_usable(item.size):
        stripped, tool = tools.mat2_strip(blocks(), item.extension), tools.version("mat2") or ""
    if stripped is None and strippable and "exiftool" not in missing:
        stripped, tool = tools.exiftool_strip(blocks()), tools.version("exiftool") or ""
    turned = tools.orientation(exif)
    if stripped and turned and tool.startswith("mat2") and "exiftool" not in missing:
        kept = tools.restore_orientation(stripped, turned)
        if kept:
            stripped, tool = kept, f"{tool} + {tools.version('exiftool')} -Orientation"
    if stripped:
        _add_derived(item, DerivedKind.STRIPPED, stripped, item.mime, tool)


def mark_processing_failed(item: EvidenceItem, *, reason: str) -> None:
    """Making the item's metadata and copies was given up (``reason``: ``worker_died`` or
    ``error``); the item page says so and offers to try again."""
    with transaction.atomic():
        EvidenceItem.objects.filter(pk=item.pk).update(processing_failed_at=timezone.now())
        log_action(None, "evidence.processing_failed", item, reason=reason)


def retry_processing(*, actor: Any, item: EvidenceItem) -> None:
    """Queue the metadata, thumbnail and stripped copy of a given-up item once more."""
    from .tasks import process_item_task  # tasks imports this module

    with transaction.atomic():
        reopened = EvidenceItem.objects.filter(
            pk=item.pk, processing_failed_at__isnull=False
        ).update(processing_failed_at=None)
        if reopened != 1:
            raise EvidenceError(_("This item is not waiting for another try."))
        log_action(actor, "evidence.processing_retried", item)
        item_id = str(item.pk)
        transaction.on_commit(lambda: process_item_task.enqueue(item_id))
    item.processing_failed_at = None


def _add_derived(item: EvidenceItem, kind: str, data: bytes, mime: str, tool: str) -> None:
    if DerivedObject.objects.filter(derived_from=item, kind=kind).exists():
        return
    storage = get_storage()
    written = vault.write_bytes(storage, vault.case_key(item.case), data)
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


# Reading: views and downloads (E5) ---------------------------------------------------------


@dataclass(frozen=True)
class ItemSummary:
    """What tells one item from another when choosing or approving an export."""

    item: EvidenceItem
    name: str
    has_position: bool


def summarize(items: Iterable[EvidenceItem]) -> list[ItemSummary]:
    """Original names and whether each file records a position (decrypted; the caller
    audits the page that shows them)."""
    return [
        ItemSummary(
            item=item,
            name=str(read_record(item).get("original_name") or ""),
            has_position=bool((read_metadata(item).get("normalized") or {}).get("gps")),
        )
        for item in items
    ]


def log_item_viewed(*, actor: Any, item: EvidenceItem) -> None:
    with transaction.atomic():
        custody.append(item, CustodyAction.VIEW, actor)
        log_action(actor, "evidence.viewed", item)


def download(
    *, actor: Any, item: EvidenceItem, derived: DerivedObject | None = None
) -> Iterator[bytes]:
    """The plaintext of an original or a derived copy, as a stream of blocks.

    The custody entry is committed before the first byte leaves; the hash is checked as
    the bytes stream, and a mismatch cuts the download and is recorded (E2).
    """
    target_sha = derived.sha256 if derived else item.sha256
    blob = derived.blob if derived else item.blob
    detail = {"derived": str(derived.code), "kind": derived.kind} if derived else {}
    key = vault.case_key(item.case)  # KeyErased before anything is logged as having left
    with transaction.atomic():
        custody.append(item, CustodyAction.DOWNLOAD, actor, object_sha256=target_sha, **detail)
        log_action(actor, "evidence.downloaded", item, **detail)

    def stream() -> Iterator[bytes]:
        digest = hashlib.sha256()
        try:
            for block in vault.iter_plaintext(get_storage(), key, blob):
                digest.update(block)
                yield block
            ok = digest.hexdigest() == target_sha
        except (vault.Corrupt, BlobMissing):
            ok = False
        if not ok:
            _record_failure(item, ["download: stored bytes do not match the recorded SHA-256"])
            raise vault.Corrupt("evidence does not match its hash")

    return stream()


def request_deletion(*, actor: Any, item: EvidenceItem, reason: str) -> DeletionRequest:
    """Record a wish to delete, with its reason; deleting evidence is a decision for later,
    never silent."""
    reason = reason.strip()
    if not reason:
        raise EvidenceError(_("Say why the item should be deleted."))
    request = DeletionRequest(
        organization_id=item.organization_id,
        item=item,
        requested_by=actor if getattr(actor, "is_authenticated", False) else None,
        requested_at=timezone.now(),
    )
    request.sealed_reason = seal(request, "sealed_reason", reason)
    with transaction.atomic():
        request.save(force_insert=True)
        custody.append(item, CustodyAction.DELETE_REQUEST, actor, reason_given=True)
        log_action(actor, "evidence.delete_requested", item)
    return request


def deletion_requests(item: EvidenceItem) -> list[tuple[DeletionRequest, str]]:
    """The item's deletion requests with their reasons (decrypted for the item page)."""
    return [
        (request, str(unseal(request, "sealed_reason", request.sealed_reason) or ""))
        for request in item.deletion_requests.select_related("requested_by")
    ]


# Fixity (E2, R6) ---------------------------------------------------------------------------


@dataclass
class VerifyResult:
    item: EvidenceItem
    problems: list[str]

    @property
    def ok(self) -> bool:
        return not self.problems


def _check_blob(item: EvidenceItem, blob: str, expected: str, what: str) -> list[str]:
    try:
        actual = vault.hash_blob(get_storage(), vault.case_key(item.case), blob)
    except BlobMissing:
        return [_("%(what)s: stored file is missing") % {"what": what}]
    except vault.KeyErased:
        return [
            _("%(what)s: the case's key was destroyed, the stored file can no longer be read")
            % {"what": what}
        ]
    except vault.Corrupt:
        return [_("%(what)s: stored file does not decrypt (altered or truncated)") % {"what": what}]
    if actual != expected:
        return [
            _("%(what)s: SHA-256 %(actual)s differs from recorded %(expected)s")
            % {"what": what, "actual": actual, "expected": expected}
        ]
    return []


def _record_failure(item: EvidenceItem, problems: list[str]) -> None:
    with transaction.atomic():
        custody.append(item, CustodyAction.VERIFY_FAILED, None, problems=len(problems))
        EvidenceItem.objects.filter(pk=item.pk).update(
            last_verified_at=timezone.now(), last_verified_ok=False
        )
        log_action(None, "evidence.verify_failed", item, problems=len(problems))


def verify_item(*, actor: Any, item: EvidenceItem) -> VerifyResult:
    problems = _check_blob(item, item.blob, item.sha256, _("original"))
    for derived in item.derived.all():
        problems += _check_blob(item, derived.blob, derived.sha256, str(derived.get_kind_display()))
    chain = custody.verify_chain(item)
    if chain is not None:
        problems.append(f"custody log entry #{chain.seq}: {chain.reason}")
    if problems:
        _record_failure(item, problems)
    else:
        with transaction.atomic():
            custody.append(item, CustodyAction.VERIFY, actor)
            EvidenceItem.objects.filter(pk=item.pk).update(
                last_verified_at=timezone.now(), last_verified_ok=True
            )
    return VerifyResult(item, problems)


def verify_all(*, actor: Any, case: Case | None = None) -> Iterator[VerifyResult]:
    items = EvidenceItem.objects.select_related("case").order_by("created_at")
    if case is not None:
        items = items.filter(case=case)
    for item in items.iterator(chunk_size=200):
        yield verify_item(actor=actor, item=item)


# Housekeeping --------------------------------------------------------------------------------


@dataclass
class SweepResult:
    orphans: int
    abandoned_uploads: int
    expired_exports: int
    scratch: int = 0
    requeued_tasks: int = 0
    failed_tasks: int = 0


def sweep(*, older_than: float = 3600) -> SweepResult:
    """Remove blobs no row refers to, uploads left for a week, expired bundles, and what
    dead workers left: their scratch files in RAM and their tasks (re-queued or failed)."""
    from tropa.core import workers

    scratch = tools.clean_scratch()
    recovered = workers.recover_dead_tasks()
    storage = get_storage()
    cutoff = timezone.now() - timedelta(days=7)
    abandoned = list(
        UploadSession.objects.filter(item__isnull=True, created_at__lt=cutoff).values_list(
            "pk", flat=True
        )
    )
    for session_id in abandoned:
        with transaction.atomic():
            UploadPart.objects.filter(session_id=session_id).delete()
            UploadSession.objects.filter(pk=session_id).delete()
    expired = 0
    for export in ExportRequest.objects.filter(expires_at__lt=timezone.now()).exclude(
        status__in=[ExportStatus.EXPIRED, ExportStatus.REFUSED]
    ):
        expire_export(export)
        expired += 1
    known = {
        *EvidenceItem.objects.values_list("blob", flat=True),
        *DerivedObject.objects.values_list("blob", flat=True),
        *UploadPart.objects.values_list("blob", flat=True),
        *ExportRequest.objects.exclude(blob="").values_list("blob", flat=True),
    }
    orphans = sum(1 for _ in storage.orphans(known, older_than))
    return SweepResult(
        orphans,
        len(abandoned),
        expired,
        scratch=scratch,
        requeued_tasks=recovered.requeued,
        failed_tasks=recovered.failed,
    )


# Exports (E6) -------------------------------------------------------------------------------


def request_export(
    *, actor: Any, case: Case, selection: dict[str, str], recipient: str = ""
) -> ExportRequest:
    selection = {code: variant for code, variant in selection.items() if variant != "exclude"}
    if not selection:
        raise EvidenceError(_("Choose at least one item to export."))
    codes = {str(c) for c in EvidenceItem.objects.filter(case=case).values_list("code", flat=True)}
    if not set(selection) <= codes or not set(selection.values()) <= {"original", "stripped"}:
        raise EvidenceError(_("The selection does not match this case's evidence."))
    recipient = recipient.strip()
    if recipient:
        from .bundle import parse_recipient  # bundle imports this module

        parse_recipient(recipient)
    now = timezone.now()
    with transaction.atomic():
        export = ExportRequest.objects.create(
            organization_id=case.organization_id,
            case=case,
            requested_by=actor,
            requested_at=now,
            selection=selection,
            recipient=recipient,
            expires_at=now + timedelta(days=export_days()),
        )
        log_action(
            actor,
            "evidence.export_requested",
            case,
            export=str(export.code),
            items=len(selection),
            encrypted=bool(recipient),
        )
    return export


def decide_export(*, actor: Any, export: ExportRequest, approve: bool) -> None:
    """A second person approves or refuses; the requester never decides their own (R18)."""
    if export.status != ExportStatus.PENDING or export.expires_at < timezone.now():
        raise EvidenceError(_("This export request is no longer waiting for a decision."))
    if export.requested_by_id == actor.pk:
        log_action(
            actor, "evidence.export_self_approval_refused", export.case, export=str(export.code)
        )
        raise EvidenceError(_("Someone other than the requester must decide on an export."))
    if not can(actor, Cap.APPROVE_EXPORT):
        raise EvidenceError(_("Your role cannot approve exports."))
    with transaction.atomic():
        status = ExportStatus.APPROVED if approve else ExportStatus.REFUSED
        decided = ExportRequest.objects.filter(pk=export.pk, status=ExportStatus.PENDING).update(
            status=status, decided_by=actor, decided_at=timezone.now()
        )
        if decided != 1:  # a second approver decided a moment earlier
            raise EvidenceError(_("This export request is no longer waiting for a decision."))
        export.refresh_from_db()
        log_action(
            actor,
            "evidence.export_approved" if approve else "evidence.export_refused",
            export.case,
            export=str(export.code),
        )
        if approve:
            from .tasks import build_export_task  # tasks imports this module

            transaction.on_commit(lambda: build_export_task.enqueue(str(export.pk)))


def build_export(export: ExportRequest, *, resume: bool = False) -> None:
    """Write the approved bundle, encrypted with the case key, for the requester to fetch.

    The build claims the export first (approved → being built), so two workers or two
    retries never build it twice. A build that cannot finish marks the export as failed
    with the reason and the item (shown on its page, where it can be retried), records
    in each item's custody log that nothing left, and records a missing or altered file
    as failing its fixity check.
    """
    from . import bundle  # bundle imports this module

    statuses = [ExportStatus.APPROVED]
    if resume:
        # The same task run again after its worker died mid-build: what that run recorded
        # as leaving is answered first, then the bundle is built afresh.
        statuses.append(ExportStatus.BUILDING)
        _abort_unfinished_build(export)
    claimed = ExportRequest.objects.filter(
        pk=export.pk, status__in=statuses, expires_at__gt=timezone.now()
    ).update(status=ExportStatus.BUILDING)
    if claimed != 1:
        return
    items = {
        str(item.code): item
        for item in EvidenceItem.objects.filter(case=export.case, code__in=list(export.selection))
    }
    storage = get_storage()
    plan = None
    try:
        plan = bundle.prepare_bundle(
            case=export.case,
            variants={item: export.selection[code] for code, item in items.items()},
            actor=export.requested_by,
            approved_by=export.decided_by,
            export_code=str(export.code),
        )
        reader = bundle.thread_pipe(bundle.encrypted_stream(plan, export.recipient))
        written = vault.write_encrypted(storage, plan.key, reader.read, limit=2**62)
        try:
            reader.finish()
        except BaseException:
            storage.delete(written.blob)
            raise
    except Exception as exc:
        if plan is not None:  # prepare_bundle records its own aborts
            bundle.record_aborted(plan.items, export.requested_by, str(export.code))
        if isinstance(exc, bundle.ItemUnreadable):
            _record_failure(items[exc.item_code], [f"export {export.code}: {exc}"])
            _export_failed(export, ExportFailure(exc.kind), exc.item_code)
        elif isinstance(exc, vault.KeyErased):
            _export_failed(export, ExportFailure.KEY)
        elif isinstance(exc, bundle.NoStrippedCopy):
            _export_failed(export, ExportFailure.NO_STRIPPED)
        else:
            # The type only: an exception's text could quote data (R9).
            logger.error("export %s: building failed (%s)", export.code, type(exc).__name__)
            _export_failed(export, ExportFailure.ERROR)
        return
    with transaction.atomic():
        done = ExportRequest.objects.filter(pk=export.pk, status=ExportStatus.BUILDING).update(
            status=ExportStatus.READY, blob=written.blob, sha256=written.sha256, size=written.size
        )
        if done != 1:  # expired (and swept) while it was being built
            transaction.on_commit(lambda: storage.delete(written.blob))
            return
        log_action(None, "evidence.export_built", export.case, export=str(export.code))


def _abort_unfinished_build(export: ExportRequest) -> None:
    """Items whose custody log says they left in this export's bundle, with no "not built"
    after it (a build whose worker died), get that entry now."""
    from . import bundle  # bundle imports this module

    code = str(export.code)
    dangling = [
        item
        for item in EvidenceItem.objects.filter(case=export.case, code__in=list(export.selection))
        if item.custody.filter(action=CustodyAction.EXPORT, detail__export=code).count()
        > item.custody.filter(action=CustodyAction.EXPORT_ABORTED, detail__export=code).count()
    ]
    if dangling:
        bundle.record_aborted(dangling, export.requested_by, code)


def abandon_export_build(export: ExportRequest) -> None:
    """The build's worker died again and again: the export fails visibly (and can be
    started again from its page), and no custody log claims that anything left."""
    _abort_unfinished_build(export)
    _export_failed(export, ExportFailure.ERROR)


def _export_failed(export: ExportRequest, failure: ExportFailure, item_code: str = "") -> None:
    with transaction.atomic():
        ExportRequest.objects.filter(pk=export.pk, status=ExportStatus.BUILDING).update(
            status=ExportStatus.FAILED, failure=failure, failed_item=item_code
        )
        log_action(
            None,
            "evidence.export_failed",
            export.case,
            export=str(export.code),
            reason=str(failure.value),
            item=item_code,
        )


def retry_export(*, actor: Any, export: ExportRequest) -> None:
    """Build a failed export again (after the cause was dealt with), keeping its approval."""
    if export.status != ExportStatus.FAILED or export.expires_at < timezone.now():
        raise EvidenceError(_("Only a failed export that has not expired can be built again."))
    if export.requested_by_id != actor.pk and not can(actor, Cap.APPROVE_EXPORT):
        raise EvidenceError(_("Only the requester or someone who approves exports can retry."))
    from .tasks import build_export_task  # tasks imports this module

    with transaction.atomic():
        reopened = ExportRequest.objects.filter(pk=export.pk, status=ExportStatus.FAILED).update(
            status=ExportStatus.APPROVED, failure="", failed_item=""
        )
        if reopened != 1:  # someone else retried it a moment ago
            return
        log_action(actor, "evidence.export_retried", export.case, export=str(export.code))
        transaction.on_commit(lambda: build_export_task.enqueue(str(export.pk)))


def download_export(*, actor: Any, export: ExportRequest) -> Iterator[bytes]:
    """The bundle's bytes; each exported item's custody log records that it left."""
    if export.status != ExportStatus.READY or export.expires_at < timezone.now():
        raise EvidenceError(_("This bundle is not available (not ready, or expired)."))
    if export.requested_by_id != actor.pk:
        raise EvidenceError(_("Only the person who requested the export can download it."))
    try:
        key = vault.case_key(export.case)
    except vault.KeyErased:
        raise EvidenceError(
            _("This file can no longer be read: the case's encryption key was destroyed.")
        ) from None
    items = EvidenceItem.objects.filter(
        case=export.case, code__in=list(export.selection)
    ).prefetch_related("derived")
    with transaction.atomic():
        for item in items:
            variant = export.selection[str(item.code)]
            copy = next((d for d in item.derived.all() if d.kind == DerivedKind.STRIPPED), None)
            custody.append(
                item,
                CustodyAction.DOWNLOAD,
                actor,
                object_sha256=copy.sha256 if variant == "stripped" and copy else "",
                export=str(export.code),
                variant=variant,
            )
        log_action(actor, "evidence.export_downloaded", export.case, export=str(export.code))
    return vault.iter_plaintext(get_storage(), key, export.blob)


def expire_export(export: ExportRequest) -> None:
    with transaction.atomic():
        blob = export.blob
        ExportRequest.objects.filter(pk=export.pk).update(status=ExportStatus.EXPIRED, blob="")
        log_action(None, "evidence.export_expired", export.case, export=str(export.code))
    if blob:
        get_storage().delete(blob)
