"""Every write to the evidence vault, each audited and, per item, in the custody log.

One module per concern; this package re-exports their public names, so that callers write
``from tropa.evidence import services`` and ``services.add_evidence(...)``. The background
tasks live beside the services they run (``derivatives.process_item_task``,
``exports.build_export_task``, ``housekeeping.scheduled_verify_task``).

Order of a write (R5): ciphertext to a temporary file, fsync, atomic rename, then the
database transaction that refers to it. A crash before the commit leaves only an orphan
blob for ``sweep``; a committed row always has its complete blob.
"""

from __future__ import annotations

from ..access import may_discard_others_uploads
from ..errors import EvidenceError
from ..records import CollectionRecord, read_metadata, read_record
from .derivatives import (
    is_strippable,
    make_stripped_copy,
    make_stripped_task,
    mark_processing_failed,
    process_item,
    process_item_task,
    queue_processing,
    queue_stripped,
    retry_processing,
    thumbnail_data_uri,
)
from .exports import (
    abandon_export_build,
    build_export,
    build_export_task,
    decide_export,
    download_export,
    expire_export,
    request_export,
    retry_export,
)
from .fixity import VerifyResult, verify_all, verify_item
from .housekeeping import SweepResult, scheduled_verify_task, sweep, task_abandoned
from .ingest import add_evidence
from .quota import (
    GiB,
    check_limits,
    default_quota_bytes,
    export_days,
    human_size,
    max_file_bytes,
    max_open_uploads,
    parse_size,
    quota_bytes,
    set_quota,
    space_summary,
    used_bytes,
)
from .reading import (
    ItemSummary,
    deletion_requests,
    download,
    log_item_viewed,
    request_deletion,
    summarize,
)
from .uploads import (
    discard_upload,
    finish_upload,
    others_open_uploads,
    receive_chunk,
    start_upload,
)

__all__ = [
    "CollectionRecord",
    "EvidenceError",
    "GiB",
    "ItemSummary",
    "SweepResult",
    "VerifyResult",
    "abandon_export_build",
    "add_evidence",
    "build_export",
    "build_export_task",
    "check_limits",
    "decide_export",
    "default_quota_bytes",
    "deletion_requests",
    "discard_upload",
    "download",
    "download_export",
    "expire_export",
    "export_days",
    "finish_upload",
    "human_size",
    "is_strippable",
    "log_item_viewed",
    "make_stripped_copy",
    "make_stripped_task",
    "mark_processing_failed",
    "max_file_bytes",
    "max_open_uploads",
    "may_discard_others_uploads",
    "others_open_uploads",
    "parse_size",
    "process_item",
    "process_item_task",
    "queue_processing",
    "queue_stripped",
    "quota_bytes",
    "read_metadata",
    "read_record",
    "receive_chunk",
    "request_deletion",
    "request_export",
    "retry_export",
    "retry_processing",
    "scheduled_verify_task",
    "set_quota",
    "space_summary",
    "start_upload",
    "summarize",
    "sweep",
    "task_abandoned",
    "thumbnail_data_uri",
    "used_bytes",
    "verify_all",
    "verify_item",
]
