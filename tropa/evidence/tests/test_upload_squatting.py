"""Announced uploads that never send a byte cannot hold the quota (issue 9 #7).

Only received bytes count; each user has a limited number of unfinished uploads; a
coordinator can discard anyone's unfinished upload (audited), nobody else can.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from django.test import Client
from django.urls import reverse

from tropa.accounts.models import Role, User
from tropa.audit.models import AuditEntry
from tropa.cases.models import Case
from tropa.evidence import services
from tropa.evidence.models import UploadSession

from .test_upload import CHUNK, _chunk, _start, upload


def _start_json(client: Client, case: Case, name: str, size: int) -> Any:
    data = {
        "method": "phone",
        "received_at": "2026-01-10T12:00",
        "name": name,
        "size": size,
    }
    return client.post(reverse("evidence:upload", args=[case.code]), data)


def test_an_announced_upload_reserves_nothing(
    canary_case: Case,
    coordinator: User,
    make_user: Callable[..., User],
    signed_in: Callable[[User], Client],
    settings: Any,
) -> None:
    settings.TROPA_EVIDENCE_QUOTA_BYTES = 10 * CHUNK
    squatter = signed_in(make_user(canary_case.organization, "squat", Role.CASEWORKER))
    urls = _start(squatter, canary_case, "never.bin", 9 * CHUNK)
    assert services.used_bytes(canary_case.organization) == 0
    # Someone else's real file still fits.
    done = upload(signed_in(coordinator), canary_case, "real.bin", os.urandom(9 * CHUNK))
    assert done["sha256"]
    # The announced file no longer fits: its next chunk is refused, saying why.
    response = _chunk(squatter, urls["chunk"], os.urandom(CHUNK), 0, 9 * CHUNK)
    assert response.status_code == 409
    assert "Not enough space" in response.json()["error"]
    assert services.used_bytes(canary_case.organization) == 9 * CHUNK


def test_received_bytes_count_as_they_arrive(
    canary_case: Case, coordinator: User, signed_in: Callable[[User], Client]
) -> None:
    client = signed_in(coordinator)
    urls = _start(client, canary_case, "VID_big.mp4", 3 * CHUNK)
    _chunk(client, urls["chunk"], os.urandom(CHUNK), 0, 3 * CHUNK)
    assert services.used_bytes(canary_case.organization) == CHUNK


def test_each_user_has_a_limited_number_of_unfinished_uploads(
    canary_case: Case,
    coordinator: User,
    signed_in: Callable[[User], Client],
    settings: Any,
) -> None:
    settings.TROPA_EVIDENCE_OPEN_UPLOADS = 2
    client = signed_in(coordinator)
    _start(client, canary_case, "a.bin", CHUNK)
    _start(client, canary_case, "b.bin", CHUNK)
    refused = _start_json(client, canary_case, "c.bin", CHUNK)
    assert refused.status_code == 400
    message = refused.json()["error"]
    assert "2 unfinished uploads" in message and "discard" in message
    assert UploadSession.objects.unscoped().count() == 2
    # Discarding one frees a place.
    session = UploadSession.objects.unscoped().order_by("created_at").first()
    assert session is not None
    client.post(reverse("evidence:upload_discard", args=[session.code]))
    assert _start_json(client, canary_case, "c.bin", CHUNK).status_code == 200


def test_a_coordinator_discards_someone_elses_unfinished_upload(
    canary_case: Case,
    coordinator: User,
    make_user: Callable[..., User],
    signed_in: Callable[[User], Client],
) -> None:
    worker = make_user(canary_case.organization, "carl", Role.CASEWORKER)
    squatter = signed_in(worker)
    urls = _start(squatter, canary_case, "never.bin", 3 * CHUNK)
    _chunk(squatter, urls["chunk"], os.urandom(CHUNK), 0, 3 * CHUNK)
    session = UploadSession.objects.unscoped().get()
    boss = signed_in(coordinator)
    page = boss.get(reverse("evidence:upload", args=[canary_case.code])).content.decode()
    assert 'id="others-unfinished"' in page and "carl" in page
    discard = reverse("evidence:upload_discard", args=[session.code])
    assert f'action="{discard}"' in page
    response = boss.post(discard)
    assert response.status_code == 302
    assert not UploadSession.objects.unscoped().exists()
    entry = AuditEntry.objects.get(action="evidence.upload_discarded")
    assert entry.actor_name == "alice"
    assert entry.detail["owner"] == str(worker.code)
    assert "never.bin" not in str(entry.detail)


def test_only_a_coordinator_discards_someone_elses_upload(
    canary_case: Case,
    coordinator: User,
    outsider: User,
    make_user: Callable[..., User],
    signed_in: Callable[[User], Client],
) -> None:
    _start(signed_in(coordinator), canary_case, "mine.bin", CHUNK)
    session = UploadSession.objects.unscoped().get()
    discard = reverse("evidence:upload_discard", args=[session.code])
    colleague = signed_in(make_user(canary_case.organization, "carl", Role.CASEWORKER))
    page = colleague.get(reverse("evidence:upload", args=[canary_case.code])).content.decode()
    assert 'id="others-unfinished"' not in page
    assert colleague.post(discard).status_code == 404
    assert signed_in(outsider).post(discard).status_code == 404
    assert UploadSession.objects.unscoped().exists()
