"""Round trip and tampering: ingest → verify → export → bundle verify (E6)."""

from __future__ import annotations

import io
import json
import subprocess
import tarfile
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time
from pyrage import x25519

from tropa.accounts.models import User
from tropa.cases.models import Case
from tropa.evidence import bundle, services
from tropa.evidence.models import (
    CustodyAction,
    DerivedKind,
    EvidenceItem,
    ExportRequest,
    ExportStatus,
)
from tropa.evidence.storage import get_storage

from .conftest import add_file


@pytest.fixture
def three_items(canary_case: Case, coordinator: User, sample_dir: Path) -> list[EvidenceItem]:
    return [
        add_file(canary_case, coordinator, sample_dir / name)
        for name in ("photo.jpg", "video.mp4", "letter.pdf")
    ]


def _export(case: Case, out: Path, *args: str) -> None:
    call_command("bundle", "export", str(case.code), "--out", str(out), *args)


def _verify(path: Path, *args: str) -> tuple[int, str]:
    output = io.StringIO()
    try:
        call_command("bundle", "verify", str(path), *args, stdout=output)
    except SystemExit as exc:
        return int(exc.code or 0), output.getvalue()
    return 0, output.getvalue()


def _rewrite(source: Path, target: Path, change: Callable[[str, bytes], bytes]) -> None:
    with tarfile.open(source) as old, tarfile.open(target, "w") as new:
        for member in old:
            data = old.extractfile(member).read()  # type: ignore[union-attr]
            data = change(member.name, data)
            member.size = len(data)
            new.addfile(member, io.BytesIO(data))


def test_the_round_trip_verifies_with_tropa_and_standard_tools(
    canary_case: Case, three_items: list[EvidenceItem], tmp_path: Path
) -> None:
    photo = three_items[0]
    stripped = photo.derived.get(kind=DerivedKind.STRIPPED)
    out = tmp_path / "bundle.tar"
    _export(canary_case, out, "--stripped", str(photo.code))
    code, text = _verify(out)
    assert code == 0, text
    assert "bundle intact: 3 items" in text
    folder = tmp_path / "x"
    folder.mkdir()
    with tarfile.open(out) as tar:
        tar.extractall(folder, filter="data")
    sums = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=folder, capture_output=True)
    assert sums.returncode == 0 and sums.stdout.count(b": OK") == 10
    # The summary also comes as a PDF, covered by SHA256SUMS like everything else.
    assert (folder / "summary.pdf").read_bytes().startswith(b"%PDF-")
    assert b"summary.pdf" in (folder / "SHA256SUMS").read_bytes()
    signature = subprocess.run(
        [
            "openssl",
            "pkeyutl",
            "-verify",
            "-pubin",
            "-inkey",
            "signing-key.pem",
            "-rawin",
            "-in",
            "manifest.json",
            "-sigfile",
            "manifest.json.sig",
        ],
        cwd=folder,
        capture_output=True,
    )
    assert b"Signature Verified Successfully" in signature.stdout
    manifest = json.loads((folder / "manifest.json").read_text())
    by_code = {entry["code"]: entry for entry in manifest["items"]}
    assert by_code[str(photo.code)]["sha256"] == stripped.sha256
    assert by_code[str(photo.code)]["derived_from"] == photo.sha256
    assert by_code[str(photo.code)]["metadata"] is None
    # Nothing that could lead back to a person travels with a stripped copy.
    withheld = by_code[str(photo.code)]["collection"]
    assert not {"original_name", "source", "file_modified", "note", "extra", "received_by"} & set(
        withheld
    )
    video = by_code[str(three_items[1].code)]
    assert video["sha256"] == three_items[1].sha256
    assert video["collection"]["original_name"] == "video.mp4"
    assert video["metadata"]["normalized"]["captured_at"].startswith("2024-02-20")
    assert (folder / "files" / f"{three_items[2].code}.pdf").read_bytes()[:5] == b"%PDF-"
    assert "sha256sum -c SHA256SUMS" in (folder / "README.txt").read_text()
    assert all(i.custody.filter(action=CustodyAction.EXPORT).exists() for i in three_items)


def test_a_bundle_encrypted_to_an_age_key_opens_with_age(
    canary_case: Case, three_items: list[EvidenceItem], tmp_path: Path
) -> None:
    identity = x25519.Identity.generate()
    key_file = tmp_path / "key.txt"
    key_file.write_text(f"# test\n{identity}\n")
    out = tmp_path / "bundle.tar.age"
    _export(canary_case, out, "--recipient", str(identity.to_public()))
    assert out.read_bytes().startswith(b"age-encryption.org/v1")
    assert _verify(out)[0] == 1
    code, text = _verify(out, "--identity", str(key_file))
    assert code == 0, text
    plain = subprocess.run(["age", "-d", "-i", str(key_file), str(out)], capture_output=True)
    assert plain.returncode == 0
    with tarfile.open(fileobj=io.BytesIO(plain.stdout)) as tar:
        assert tar.getmember("manifest.json")


def test_tampering_with_a_bundle_is_detected(
    canary_case: Case, three_items: list[EvidenceItem], tmp_path: Path
) -> None:
    out = tmp_path / "bundle.tar"
    _export(canary_case, out)
    pdf = f"files/{three_items[2].code}.pdf"

    def flip(name: str, data: bytes) -> bytes:
        return data[:10] + bytes([data[10] ^ 1]) + data[11:] if name == pdf else data

    _rewrite(out, tmp_path / "flipped.tar", flip)
    code, text = _verify(tmp_path / "flipped.tar")
    assert code == 1
    assert f"FAILED  item {three_items[2].code}: {pdf} has SHA-256" in text
    assert f"FAILED  {pdf}: SHA-256 differs from SHA256SUMS" in text

    def edit_manifest(name: str, data: bytes) -> bytes:
        return data.replace(b'"messenger"', b'"phone"') if name == "manifest.json" else data

    _rewrite(out, tmp_path / "manifest.tar", edit_manifest)
    text = _verify(tmp_path / "manifest.tar")[1]
    assert "manifest.json.sig: the signature does not match manifest.json" in text

    def edit_custody(name: str, data: bytes) -> bytes:
        return data.replace(b'"alice"', b'"mallory"', 1) if name == "custody.json" else data

    _rewrite(out, tmp_path / "custody.tar", edit_custody)
    text = _verify(tmp_path / "custody.tar")[1]
    assert "custody entry #1: content altered (hash mismatch)" in text
    assert "a different key" in _verify(out, "--public-key", "00" * 32)[1]


def test_an_export_in_the_browser_needs_a_second_person(
    canary_case: Case,
    coordinator: User,
    verifier: User,
    three_items: list[EvidenceItem],
    signed_in: Callable[[User], Client],
    django_capture_on_commit_callbacks: Callable[..., object],
) -> None:
    requester, approver = signed_in(coordinator), signed_in(verifier)
    # The form tells the items apart and warns where an original can locate people.
    page = requester.get(reverse("evidence:export_new", args=[canary_case.code])).content.decode()
    assert "photo.jpg" in page and "video.mp4" in page
    assert page.count("records a position (GPS)") == 1
    # ...and offers the copy without metadata for it unless the user chooses otherwise.
    assert page.count('<option value="stripped" selected>') == 1
    form = {f"item_{i.code}": "original" for i in three_items}
    form[f"item_{three_items[0].code}"] = "stripped"
    response = requester.post(reverse("evidence:export_new", args=[canary_case.code]), form)
    export = canary_case.organization.exportrequest_set.get()
    assert response.url == export.get_absolute_url()  # type: ignore[attr-defined]
    # The approver sees what would leave, and how.
    page = approver.get(export.get_absolute_url()).content.decode()
    assert all(str(i.code)[:8] in page for i in three_items)
    assert "copy without metadata" in page and "with GPS position" not in page
    decide = reverse("evidence:export_decide", args=[export.code])
    requester.post(decide, {"decision": "approve"})
    export.refresh_from_db()
    assert export.status == ExportStatus.PENDING
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        approver.post(decide, {"decision": "approve"})
    export.refresh_from_db()
    assert export.status == ExportStatus.READY and export.decided_by == verifier
    download = reverse("evidence:export_download", args=[export.code])
    assert approver.post(download).status_code == 302
    response = requester.post(download)
    assert response["Content-Disposition"].startswith('attachment; filename="bundle-')
    data = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    report = bundle.verify_bundle(io.BytesIO(data))
    assert report.ok, report.problems
    assert report.items == 3
    downloads = three_items[1].custody.filter(action=CustodyAction.DOWNLOAD)
    assert downloads.get().detail["export"] == str(export.code)
    # The photo left as its copy: its custody log names the copy's hash, not the original's.
    copy = three_items[0].derived.get(kind=DerivedKind.STRIPPED)
    for action in (CustodyAction.EXPORT, CustodyAction.DOWNLOAD):
        entry = three_items[0].custody.filter(action=action).get()
        assert entry.object_sha256 == copy.sha256 != three_items[0].sha256
    with freeze_time(timezone.now() + timedelta(days=8)):
        assert requester.post(download).status_code == 302
        assert services.sweep().expired_exports == 1
    export.refresh_from_db()
    assert export.status == ExportStatus.EXPIRED and export.blob == ""


def _blob_path(blob: str) -> Path:
    root = Path(get_storage().root)  # type: ignore[attr-defined]
    return root / blob[:2] / blob


@pytest.mark.parametrize("damage", ["missing", "swapped", "sha_edited"])
def test_a_failed_build_is_shown_and_can_be_retried(
    damage: str,
    canary_case: Case,
    coordinator: User,
    verifier: User,
    three_items: list[EvidenceItem],
    signed_in: Callable[[User], Client],
    django_capture_on_commit_callbacks: Callable[..., object],
) -> None:
    photo, video, _pdf = three_items
    blob, stored = video.blob, _blob_path(video.blob).read_bytes()
    if damage == "missing":
        _blob_path(blob).unlink()
    elif damage == "swapped":
        # The row points at another blob of the same case: it decrypts, but it is the
        # wrong file (the photo's thumbnail).
        other = photo.derived.get(kind=DerivedKind.THUMBNAIL).blob
        EvidenceItem.objects.unscoped().filter(pk=video.pk).update(blob=other)
    else:
        EvidenceItem.objects.unscoped().filter(pk=video.pk).update(sha256="0" * 64)
    requester, approver = signed_in(coordinator), signed_in(verifier)
    form = {f"item_{i.code}": "original" for i in three_items}
    requester.post(reverse("evidence:export_new", args=[canary_case.code]), form)
    export = canary_case.organization.exportrequest_set.get()
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        approver.post(
            reverse("evidence:export_decide", args=[export.code]), {"decision": "approve"}
        )
    export.refresh_from_db()
    assert export.status == ExportStatus.FAILED and export.blob == ""
    assert export.failed_item == str(video.code)
    # Every chosen item's custody log says the bundle was not built, not just "exported".
    for item in three_items:
        actions = list(item.custody.order_by("seq").values_list("action", flat=True))
        last_export = len(actions) - 1 - actions[::-1].index(CustodyAction.EXPORT)
        assert CustodyAction.EXPORT_ABORTED in actions[last_export:], actions
    assert export.failure == ("missing" if damage == "missing" else "corrupt")
    page = requester.get(export.get_absolute_url()).content.decode()
    assert "The bundle could not be built." in page and str(video.code) in page
    video.refresh_from_db()
    assert video.last_verified_ok is False
    assert video.custody.filter(action=CustodyAction.VERIFY_FAILED).exists()

    # Once the stored file is put right, building again keeps the approval and works.
    if damage == "missing":
        _blob_path(blob).write_bytes(stored)
    elif damage == "swapped":
        EvidenceItem.objects.unscoped().filter(pk=video.pk).update(blob=blob)
    with django_capture_on_commit_callbacks(execute=True) as queued:  # type: ignore[operator]
        requester.post(reverse("evidence:export_retry", args=[export.code]))
        requester.post(reverse("evidence:export_retry", args=[export.code]))  # a double click
    assert len(queued) == 1  # built once
    export.refresh_from_db()
    if damage == "sha_edited":
        assert export.status == ExportStatus.FAILED  # still wrong: it fails again, visibly
        return
    assert export.status == ExportStatus.READY
    response = requester.post(reverse("evidence:export_download", args=[export.code]))
    report = bundle.verify_bundle(io.BytesIO(b"".join(response.streaming_content)))  # type: ignore[attr-defined]
    assert report.ok, report.problems


def test_only_a_failed_export_can_be_built_again(
    canary_case: Case,
    coordinator: User,
    volunteer: User,
    three_items: list[EvidenceItem],
) -> None:
    export = services.request_export(
        actor=coordinator, case=canary_case, selection={str(three_items[0].code): "original"}
    )
    with pytest.raises(services.EvidenceError):
        services.retry_export(actor=coordinator, export=export)  # pending, not failed
    ExportRequest.objects.unscoped().filter(pk=export.pk).update(status=ExportStatus.FAILED)
    export.refresh_from_db()
    with pytest.raises(services.EvidenceError):
        services.retry_export(actor=volunteer, export=export)  # neither requester nor approver


def test_an_approver_finds_waiting_exports_on_the_dashboard(
    canary_case: Case,
    outsider_case: Case,
    coordinator: User,
    verifier: User,
    outsider: User,
    three_items: list[EvidenceItem],
    signed_in: Callable[[User], Client],
) -> None:
    export = services.request_export(
        actor=coordinator, case=canary_case, selection={str(three_items[0].code): "original"}
    )
    link = export.get_absolute_url()
    assert link in signed_in(verifier).get(reverse("cases:dashboard")).content.decode()
    # Not for the requester (who cannot decide), nor for another organization.
    assert link not in signed_in(coordinator).get(reverse("cases:dashboard")).content.decode()
    assert link not in signed_in(outsider).get(reverse("cases:dashboard")).content.decode()
    services.decide_export(actor=verifier, export=export, approve=False)
    assert link not in signed_in(verifier).get(reverse("cases:dashboard")).content.decode()
