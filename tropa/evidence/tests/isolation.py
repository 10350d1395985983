"""Evidence objects of another organization for the URL-walking isolation test (R1)."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

from django.utils import timezone

from tropa.cases import services as cases
from tropa.evidence import services


def isolation_kwargs(world: Any) -> dict[str, dict[str, Any]]:
    actor, org = world.outsider, world.other_org
    case = cases.create_case(actor=actor, organization=org, pseudonym="Elsewhere")
    record = services.CollectionRecord(
        method="usb", received_at=timezone.now() - timedelta(hours=1), original_name="x.txt"
    )
    item = services.add_evidence(
        actor=actor, case=case, source=io.BytesIO(b"foreign evidence"), record=record
    )
    session = services.start_upload(actor=actor, case=case, size=10, record=record)
    export = services.request_export(actor=actor, case=case, selection={str(item.code): "original"})
    by_case, by_item = {"code": case.code}, {"code": item.code}
    return {
        "evidence:upload": by_case,
        "evidence:export_new": by_case,
        "evidence:upload_chunk": {"code": session.code},
        "evidence:upload_finish": {"code": session.code},
        "evidence:upload_discard": {"code": session.code},
        "evidence:item": by_item,
        "evidence:download": by_item,
        "evidence:download_stripped": by_item,
        "evidence:verify": by_item,
        "evidence:delete_request": by_item,
        "evidence:retry_processing": by_item,
        "evidence:export": {"code": export.code},
        "evidence:export_decide": {"code": export.code},
        "evidence:export_retry": {"code": export.code},
        "evidence:export_download": {"code": export.code},
    }


# A valid body for each POST view, so that a 404 proves isolation and not a form error.
POST_DATA: dict[str, dict[str, Any]] = {
    "evidence:upload": {"method": "usb", "received_at": "2026-01-01T10:00", "name": "a", "size": 1},
    "evidence:export_new": {"recipient": ""},
    "evidence:delete_request": {"reason": "x"},
    "evidence:export_decide": {"decision": "approve"},
}
