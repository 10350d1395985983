"""The browser upload path: chunked, resumable, encrypted as it arrives (E14, R4, R16)."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

from django.test import Client
from django.urls import reverse

from conftest import CANARY
from tropa.accounts.models import User
from tropa.cases.models import Case
from tropa.evidence.models import CustodyAction, EvidenceItem

CHUNK = 2048


def _start(client: Client, case: Case, name: str, size: int, **extra: Any) -> dict[str, Any]:
    data = {
        "method": "phone",
        "received_at": "2026-01-10T12:00",
        "source": "Funker",
        "taken_on": "2024-03-01",
        "name": name,
        "size": size,
        "modified": 1709280000000,
        **extra,
    }
    response = client.post(reverse("evidence:upload", args=[case.code]), data)
    assert response.status_code == 200, response.content
    return response.json()["upload"]


def _chunk(client: Client, url: str, data: bytes, start: int, total: int) -> Any:
    return client.post(
        url,
        data,
        content_type="application/octet-stream",
        headers={"Content-Range": f"bytes {start}-{start + len(data) - 1}/{total}"},
    )


def upload(
    client: Client, case: Case, name: str, data: bytes, chunk: int = CHUNK
) -> dict[str, Any]:
    urls = _start(client, case, name, len(data))
    for start in range(0, len(data), chunk):
        response = _chunk(client, urls["chunk"], data[start : start + chunk], start, len(data))
        assert response.status_code == 200, response.content
    response = client.post(urls["finish"])
    assert response.status_code == 200, response.content
    return dict(response.json())


def test_it_uploads_in_chunks_and_resumes_where_it_stopped(
    canary_case: Case, coordinator: User, signed_in: Callable[[User], Client], sample_dir: Path
) -> None:
    client = signed_in(coordinator)
    data = (sample_dir / "video.mp4").read_bytes()
    urls = _start(client, canary_case, "VID_0001.mp4", len(data))
    assert _chunk(client, urls["chunk"], data[:CHUNK], 0, len(data)).json()["offset"] == CHUNK
    # The connection dropped; the client sends a later chunk by mistake and is told where to go.
    wrong = _chunk(client, urls["chunk"], data[2 * CHUNK : 3 * CHUNK], 2 * CHUNK, len(data))
    assert wrong.status_code == 409 and wrong.json()["offset"] == CHUNK
    # A finish before the end is refused, and nothing is lost.
    assert client.post(urls["finish"]).status_code == 409
    assert client.get(urls["chunk"]).json() == {"offset": CHUNK, "size": len(data)}
    # The upload page offers the open session for resuming.
    page = client.get(reverse("evidence:upload", args=[canary_case.code])).content.decode()
    assert urls["chunk"] in page
    for start in range(CHUNK, len(data), CHUNK):
        _chunk(client, urls["chunk"], data[start : start + CHUNK], start, len(data))
    done = client.post(urls["finish"]).json()
    assert done["sha256"] == hashlib.sha256(data).hexdigest()
    item = EvidenceItem.objects.unscoped().get(code=done["code"])
    assert item.mime == "video/mp4" and item.size == len(data)
    assert item.custody.first().action == CustodyAction.INGEST  # type: ignore[union-attr]
    # If the answer to "finish" was lost, the client asks and learns the upload is done;
    # sending "finish" again gives the same item, never a second one.
    status = client.get(urls["chunk"]).json()
    assert status["item"] == item.get_absolute_url() and status["sha256"] == item.sha256
    assert client.post(urls["finish"]).json()["code"] == done["code"]
    assert EvidenceItem.objects.unscoped().filter(case=canary_case).count() == 1
    # A finish that started before the first one ended (a stale view of the upload)
    # also ends with the same item, not an error and not a second item.
    from tropa.evidence import services
    from tropa.evidence.models import UploadSession

    stale = UploadSession.objects.unscoped().get(code=urls["chunk"].rstrip("/").split("/")[-1])
    stale.item_id = None
    assert services.finish_upload(actor=coordinator, session=stale).code == item.code
    assert EvidenceItem.objects.unscoped().filter(case=canary_case).count() == 1


def test_it_refuses_chunks_without_a_valid_range(
    canary_case: Case, coordinator: User, signed_in: Callable[[User], Client]
) -> None:
    client = signed_in(coordinator)
    urls = _start(client, canary_case, "a.bin", 10)
    assert (
        client.post(urls["chunk"], b"x", content_type="application/octet-stream").status_code == 400
    )
    too_big = _chunk(client, urls["chunk"], b"x" * 11, 0, 11)
    assert too_big.status_code == 400


def test_downloads_are_attachments_named_after_the_original_and_logged(
    canary_case: Case, coordinator: User, signed_in: Callable[[User], Client]
) -> None:
    client = signed_in(coordinator)
    data = b"<html><body><script>alert(1)</script></body></html>"
    done = upload(client, canary_case, "../../etc/passwd\x00.html", data)
    response = client.post(reverse("evidence:download", args=[done["code"]]))
    assert response["Content-Type"] == "application/octet-stream"
    # The original's last part, with the type from the content: never a path, never .html.
    assert response["Content-Disposition"] == (
        "attachment; filename=\"passwd.html.txt\"; filename*=UTF-8''passwd.html.txt"
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == data  # type: ignore[attr-defined]
    item = EvidenceItem.objects.unscoped().get(code=done["code"])
    actions = list(item.custody.values_list("action", flat=True))
    assert actions == [CustodyAction.INGEST, CustodyAction.DOWNLOAD]
    # A name in Cyrillic: the real name in filename* (RFC 5987), the item code for old clients.
    named = upload(client, canary_case, "Видео с КПП «Верхний Ларс».txt", b"plain text")
    response = client.post(reverse("evidence:download", args=[named["code"]]))
    assert response["Content-Disposition"] == (
        f"attachment; filename=\"{named['code']}.txt\"; filename*=UTF-8''"
        + quote("Видео с КПП _Верхний Ларс_.txt", safe="")
    )
    # Downloads are deliberate: never by a GET that a browser might prefetch.
    assert client.get(reverse("evidence:download", args=[done["code"]])).status_code == 405


def test_the_item_page_shows_metadata_record_and_conflicts(
    canary_case: Case, coordinator: User, signed_in: Callable[[User], Client], sample_dir: Path
) -> None:
    from tropa.evidence import services

    client = signed_in(coordinator)
    done = upload(client, canary_case, "IMG_2024.jpg", (sample_dir / "photo.jpg").read_bytes())
    services.process_item(EvidenceItem.objects.unscoped().get(code=done["code"]))
    html = client.get(reverse("evidence:item", args=[done["code"]])).content.decode()
    assert done["sha256"] in html
    assert "IMG_2024.jpg" in html and "Funker" in html
    assert "Xiaomi Redmi Note 8" in html and "51.128207" in html
    assert "data:image/jpeg;base64," in html
    # The photo says 2024-03-01, the source said the same day: no conflict; received 2026.
    assert 'class="conflicts"' not in html
    case_page = client.get(canary_case.get_absolute_url()).content.decode()
    assert reverse("evidence:item", args=[done["code"]]) in case_page
    item = EvidenceItem.objects.unscoped().get(code=done["code"])
    assert item.custody.filter(action=CustodyAction.VIEW).count() == 1


def test_volunteers_see_no_evidence(
    canary_case: Case,
    coordinator: User,
    volunteer: User,
    signed_in: Callable[[User], Client],
) -> None:
    done = upload(signed_in(coordinator), canary_case, "a.txt", b"secret")
    canary_case.assignee = volunteer
    canary_case.save(update_fields=["assignee"])
    client = signed_in(volunteer)
    page = client.get(canary_case.get_absolute_url())
    assert page.status_code == 200 and b'id="evidence"' not in page.content
    assert client.get(reverse("evidence:item", args=[done["code"]])).status_code == 403
    assert client.post(reverse("evidence:download", args=[done["code"]])).status_code == 403
    assert client.get(reverse("evidence:upload", args=[canary_case.code])).status_code == 403


def _scan(roots: list[Path], needles: list[bytes], since: float) -> list[str]:
    hits = []
    for root in roots:
        for dirpath, _dirs, files in os.walk(root):
            for name in files:
                path = Path(dirpath) / name
                # The system temp dir holds other runs' files: only this test's count.
                try:
                    if root == Path(tempfile.gettempdir()) and path.stat().st_mtime < since:
                        continue
                    content = path.read_bytes()
                except OSError:
                    continue
                hits += [f"{path}" for needle in needles if needle in content]
                hits += [f"{path} (name)" for needle in needles if needle in name.encode()]
    return hits


def test_the_canary_never_reaches_the_disk_in_plaintext(
    canary_case: Case,
    coordinator: User,
    signed_in: Callable[[User], Client],
    settings: Any,
    _private_storage: Path,
) -> None:
    from tropa.evidence import services

    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 16
    since = time.time() - 1
    client = signed_in(coordinator)
    text = (f"Рапорт. Я, {CANARY} Алексей, отказываюсь участвовать. " * 4000).encode()
    done = upload(client, canary_case, f"{CANARY}.txt", text, chunk=100_000)
    item = EvidenceItem.objects.unscoped().get(code=done["code"])
    services.process_item(item)
    client.post(reverse("evidence:download", args=[done["code"]]))
    needles = [CANARY.encode(), CANARY.encode("utf-16-le"), text[:40]]
    roots = [settings.DATA_DIR, _private_storage, Path(tempfile.gettempdir()), Path("/dev/shm")]
    assert _scan(roots, needles, since) == []
    # The database holds it sealed only: the original name is not in any column.
    assert CANARY not in json.dumps(
        list(EvidenceItem.objects.unscoped().values("mime", "extension"))
    )


def test_an_exact_duplicate_is_shown_for_review_not_rejected(
    canary_case: Case, coordinator: User, signed_in: Callable[[User], Client]
) -> None:
    client = signed_in(coordinator)
    first = upload(client, canary_case, "a.txt", b"the same chat export")
    second = upload(client, canary_case, "b.txt", b"the same chat export")
    assert first["code"] != second["code"]
    # The uploader is told at once, with a link to the item already stored.
    assert first["duplicate_of"] is None and second["duplicate_of"] == first["item"]
    html = client.get(reverse("evidence:item", args=[second["code"]])).content.decode()
    assert 'id="duplicates"' in html and first["code"] in html


def test_an_unfinished_upload_is_shown_and_can_be_discarded(
    canary_case: Case,
    coordinator: User,
    signed_in: Callable[[User], Client],
    _private_storage: Path,
) -> None:
    from tropa.evidence import services
    from tropa.evidence.models import UploadSession

    client = signed_in(coordinator)
    urls = _start(client, canary_case, "VID_big.mp4", 3 * CHUNK)
    _chunk(client, urls["chunk"], os.urandom(CHUNK), 0, 3 * CHUNK)
    # What arrived counts towards the quota; the announced size reserves nothing (issue 9).
    assert services.used_bytes(canary_case.organization) == CHUNK
    page = client.get(reverse("evidence:upload", args=[canary_case.code])).content.decode()
    assert "Unfinished uploads" in page and "VID_big.mp4" in page
    assert "2.0 KB of 6.0 KB received" in page
    blobs = [p for p in _private_storage.glob("*/*") if p.parent.name != "tmp"]
    assert len(blobs) == 1
    session = UploadSession.objects.unscoped().get()
    response = client.post(reverse("evidence:upload_discard", args=[session.code]))
    assert response.status_code == 302
    assert not UploadSession.objects.unscoped().exists() and not blobs[0].exists()
    assert services.used_bytes(canary_case.organization) == 0
    page = client.get(reverse("evidence:upload", args=[canary_case.code])).content.decode()
    assert "Unfinished uploads" not in page


def test_the_case_page_lists_items_by_their_original_names(
    canary_case: Case, coordinator: User, signed_in: Callable[[User], Client], sample_dir: Path
) -> None:
    client = signed_in(coordinator)
    upload(client, canary_case, "IMG_20240301_142205.jpg", (sample_dir / "photo.jpg").read_bytes())
    upload(client, canary_case, "resignation.txt", b"I refuse to fight")
    page = client.get(canary_case.get_absolute_url()).content.decode()
    assert "IMG_20240301_142205.jpg" in page and "resignation.txt" in page
