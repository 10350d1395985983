"""Blob files start their writeback as they grow (issue 19: the 4 GiB ingest's fsync)."""

from __future__ import annotations

import hashlib
import io
import os
from typing import Any

from tropa.accounts.models import User
from tropa.cases.models import Case
from tropa.evidence import services, vault
from tropa.evidence.storage import get_storage

from .conftest import record


def test_a_file_written_behind_in_small_windows_reads_back_whole(
    canary_case: Case, coordinator: User, settings: Any
) -> None:
    settings.TROPA_EVIDENCE_WRITE_BEHIND_BYTES = 4096  # many windows, odd block boundaries
    data = os.urandom(300_001)
    item = services.add_evidence(
        actor=coordinator, case=canary_case, source=io.BytesIO(data), record=record()
    )
    assert item.sha256 == hashlib.sha256(data).hexdigest()
    stored = vault.read_all(get_storage(), vault.case_key(canary_case), item.blob)
    assert stored == data
    assert services.verify_item(actor=None, item=item).ok
