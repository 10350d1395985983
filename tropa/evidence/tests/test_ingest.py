"""Ingest: the SHA-256 of the received bytes, encryption before disk, type from content."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from tropa.accounts.models import User
from tropa.audit.models import AuditEntry
from tropa.cases.models import Case
from tropa.evidence import services
from tropa.evidence.models import CustodyAction, EvidenceItem

from .conftest import add_file, record


def test_it_stores_the_sha256_of_the_received_bytes(
    canary_case: Case, coordinator: User, sample_dir: Path, _private_storage: Path
) -> None:
    jpeg = sample_dir / "photo.jpg"
    item = add_file(canary_case, coordinator, jpeg, process=False)
    assert item.sha256 == hashlib.sha256(jpeg.read_bytes()).hexdigest()
    assert item.size == jpeg.stat().st_size
    assert (item.mime, item.extension) == ("image/jpeg", "jpg")
    assert item.generic_name == f"{item.code}.jpg"
    stored = [p for p in _private_storage.glob("*/*") if p.parent.name != "tmp"]
    assert [p.name for p in stored] == [item.blob]
    assert jpeg.read_bytes()[:64] not in stored[0].read_bytes()
    assert services.read_record(item)["original_name"] == "photo.jpg"
    assert list(item.custody.values_list("action", flat=True)) == [CustodyAction.INGEST]
    entry = AuditEntry.objects.get(action="evidence.added")
    assert "photo" not in str(entry.detail) and entry.object_code == str(item.code)


def test_it_detects_the_type_from_content_not_the_name(
    canary_case: Case, coordinator: User
) -> None:
    pdf_named_jpg = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"
    item = services.add_evidence(
        actor=coordinator,
        case=canary_case,
        source=io.BytesIO(pdf_named_jpg),
        record=record(original_name="holiday.jpg"),
    )
    assert item.mime == "application/pdf"
    html = services.add_evidence(
        actor=coordinator,
        case=canary_case,
        source=io.BytesIO(b"<html><script>alert(1)</script></html>"),
        record=record(original_name="page.html"),
    )
    # Never .html: it is kept, and later downloaded, as text.
    assert (html.mime, html.extension) == ("text/plain", "txt")
    letter = services.add_evidence(
        actor=coordinator,
        case=canary_case,
        source=io.BytesIO("Рапорт об увольнении по собственному желанию".encode()),
        record=record(original_name="заявление.docx"),
    )
    assert (letter.mime, letter.extension) == ("text/plain", "txt")
    binary = services.add_evidence(
        actor=coordinator,
        case=canary_case,
        source=io.BytesIO(b"\x00\x01\x02 not a known format"),
        record=record(original_name="x.txt"),
    )
    assert (binary.mime, binary.extension) == ("application/octet-stream", "bin")


def test_it_prints_item_code_and_sha256_from_the_command_line(
    canary_case: Case, sample_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = [sample_dir / "letter.pdf", sample_dir / "video.mp4"]
    call_command(
        "evidence",
        "add",
        str(canary_case.code),
        *map(str, files),
        "--note",
        "from Funker",
        "--defer-metadata",
    )
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2
    for line, path in zip(lines, files, strict=True):
        code, sha, name = line.split("  ")
        item = EvidenceItem.objects.unscoped().get(code=code)
        assert sha == item.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
        assert name == str(path)
        assert services.read_record(item)["note"] == "from Funker"


def test_it_refuses_a_file_over_the_quota_with_a_clear_message(
    canary_case: Case, coordinator: User, settings: object
) -> None:
    settings.TROPA_EVIDENCE_QUOTA_BYTES = 1000  # type: ignore[attr-defined]
    with pytest.raises(services.EvidenceError, match="Not enough space left"):
        services.add_evidence(
            actor=coordinator,
            case=canary_case,
            source=io.BytesIO(b"x" * 2000),
            record=record(),
            size_hint=2000,
        )
    # Without a size hint the limit still holds while the bytes stream in.
    with pytest.raises(services.EvidenceError, match="Not enough space left"):
        services.add_evidence(
            actor=coordinator, case=canary_case, source=io.BytesIO(b"x" * 2000), record=record()
        )
    assert not EvidenceItem.objects.unscoped().exists()


def test_an_organization_can_have_its_own_quota(
    canary_case: Case,
    outsider_case: Case,
    coordinator: User,
    signed_in: Callable[[User], Client],
    capsys: pytest.CaptureFixture[str],
) -> None:
    org = canary_case.organization
    call_command("evidence", "quota", "--org", org.name, "--set", "1.5 KB")
    assert "0 B used of 1.5 KB (its own quota), 1.5 KB free" in capsys.readouterr().out
    assert services.quota_bytes(org) == 1536
    assert services.quota_bytes(outsider_case.organization) == services.default_quota_bytes()
    assert AuditEntry.objects.filter(action="evidence.quota_set").exists()
    with pytest.raises(services.EvidenceError, match=r"1\.5 KB are free"):
        services.start_upload(actor=coordinator, case=canary_case, size=2000, record=record())
    page = signed_in(coordinator).get(reverse("evidence:upload", args=[canary_case.code]))
    assert "0 B of 1.5 KB used, 1.5 KB free" in page.content.decode()
    call_command("evidence", "quota", "--org", org.name, "--default")
    assert "(server default)" in capsys.readouterr().out
    services.start_upload(actor=coordinator, case=canary_case, size=2000, record=record())


def test_a_quota_for_an_unknown_organization_names_the_ones_there_are(canary_case: Case) -> None:
    with pytest.raises(CommandError, match=r"no organization named 'Nope' \(there are: .*"):
        call_command("evidence", "quota", "--org", "Nope", "--set", "1GB")


@pytest.mark.parametrize(
    "bad", ["lots", "12 parsecs", "-5GB", "0", "99999999T", "9" * 400, "1,000 GB"]
)
def test_a_quota_that_is_not_a_size_is_refused(bad: str, canary_case: Case) -> None:
    with pytest.raises(
        CommandError, match=r"not a size|larger than 0|more than any disk|ambiguous"
    ):
        call_command("evidence", "quota", "--org", canary_case.organization.name, f"--set={bad}")
    assert services.quota_bytes(canary_case.organization) == services.default_quota_bytes()


@pytest.mark.parametrize(
    ("text", "size"),
    [
        ("500GB", 500 * 1024**3),
        ("1.5 TiB", int(1.5 * 1024**4)),
        ("750m", 750 * 1024**2),
        ("1048576", 1048576),
        ("2,5 GB", int(2.5 * 1024**3)),
    ],
)
def test_sizes_are_read_as_people_write_them(text: str, size: int) -> None:
    assert services.parse_size(text) == size


def test_it_refuses_a_file_over_the_maximum_size(
    canary_case: Case, coordinator: User, settings: object
) -> None:
    settings.TROPA_EVIDENCE_MAX_FILE_BYTES = 10  # type: ignore[attr-defined]
    with pytest.raises(services.EvidenceError, match="largest file this server accepts"):
        services.start_upload(actor=coordinator, case=canary_case, size=11, record=record())


def test_it_rejects_a_receipt_time_in_the_future(canary_case: Case, coordinator: User) -> None:
    from datetime import timedelta

    from django.utils import timezone

    with pytest.raises(services.EvidenceError, match="future"):
        services.add_evidence(
            actor=coordinator,
            case=canary_case,
            source=io.BytesIO(b"x"),
            record=record(received_at=timezone.now() + timedelta(days=1)),
        )
