"""Export: consent at every step, a second person, the signed bundle, the shell command."""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from tropa.accounts.models import User
from tropa.audit.models import AuditEntry
from tropa.evidence import bundle
from tropa.testimony import services
from tropa.testimony.errors import TestimonyError
from tropa.testimony.models import ExportStatus, Testimony, Unit

from .conftest import act_data, give


def _members(data: bytes) -> dict[str, bytes]:
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        return {m.name: tar.extractfile(m).read() for m in tar if m.isfile()}  # type: ignore[union-attr]


def test_export_without_consent_is_refused_everywhere(
    testimony: Testimony, lawyer: User, coordinator: User, tmp_path: Path
) -> None:
    with pytest.raises(TestimonyError):
        services.request_export(actor=lawyer, testimony=testimony, kind="icc", language="en")
    give(testimony.case, lawyer, "un")
    with pytest.raises(TestimonyError):
        services.request_export(actor=lawyer, testimony=testimony, kind="icc", language="en")
    with pytest.raises(CommandError):
        call_command(
            "testimony",
            "export",
            str(testimony.case.code),
            "--recipient",
            "icc",
            "--out",
            str(tmp_path / "x.tar"),
        )
    assert not (tmp_path / "x.tar").exists()
    assert AuditEntry.objects.filter(action="testimony.export_without_consent").count() == 3


def test_export_with_consent_approval_and_signed_bundle(
    testimony: Testimony, unit: Unit, lawyer: User, coordinator: User, signed_in
) -> None:
    event = services.add_event(
        actor=lawyer, testimony=testimony, data={"when": "29.06.2022", "settlement": "Угледар"}
    )
    services.add_act(actor=lawyer, event=event, data=act_data(unit))
    give(testimony.case, lawyer, "icc")
    client = signed_in(lawyer)
    client.post(
        reverse("testimony:export_new", args=[testimony.code]), {"kind": "icc", "language": "fr"}
    )
    export = testimony.exports.get()
    with pytest.raises(TestimonyError):
        services.decide_export(actor=lawyer, export=export, approve=True)  # not his own
    signed_in(coordinator).post(
        reverse("testimony:export_decide", args=[export.code]), {"decision": "approve"}
    )
    export.refresh_from_db()
    assert export.status == ExportStatus.READY and export.sha256
    response = client.post(reverse("testimony:export_download", args=[export.code]))
    data = b"".join(response.streaming_content) if response.streaming else response.content
    report = bundle.verify_bundle(io.BytesIO(data))
    assert report.ok, report.problems
    members = _members(data)
    document = json.loads(members["testimony/testimony.json"])
    assert document["format"] == "tropa-testimony/1" and document["recipient"] == "icc"
    assert document["testimony"]["interview"]["narrative"] == "Видел обстрел."
    assert document["events"][0]["acts"][0]["perpetrators"][0]["unit"]["number"] == "30926"
    assert members["testimony/statement-fr.pdf"].startswith(b"%PDF")
    manifest = json.loads(members["manifest.json"])
    assert {d["name"] for d in manifest["documents"]} == {
        "testimony/testimony.json",
        "testimony/statement-fr.pdf",
    }
    export.refresh_from_db()
    assert export.status == ExportStatus.DOWNLOADED and not export.blob
    for action in ("requested", "approved", "downloaded"):
        assert AuditEntry.objects.filter(action=f"testimony.export_{action}").exists()


def test_a_withdrawal_blocks_a_built_bundle(
    testimony: Testimony, lawyer: User, coordinator: User
) -> None:
    give(testimony.case, lawyer, "icc")
    export = services.request_export(actor=lawyer, testimony=testimony, kind="icc", language="en")
    services.decide_export(actor=coordinator, export=export, approve=True)
    assert export.status == ExportStatus.READY
    give(testimony.case, lawyer, "icc", "withdrawn")
    export.refresh_from_db()
    assert export.status == ExportStatus.BLOCKED and not export.blob
    with pytest.raises(TestimonyError):
        services.download_export(actor=lawyer, export=export)
    assert AuditEntry.objects.filter(action="testimony.export_blocked").exists()


def test_refusal_and_the_shell_command(
    testimony: Testimony, lawyer: User, coordinator: User, tmp_path: Path
) -> None:
    give(testimony.case, lawyer, "national")
    export = services.request_export(
        actor=lawyer, testimony=testimony, kind="national", language="uk"
    )
    services.decide_export(actor=coordinator, export=export, approve=False)
    assert export.status == ExportStatus.REFUSED
    assert AuditEntry.objects.filter(action="testimony.export_refused").exists()
    out = tmp_path / "t.tar"
    call_command(
        "testimony",
        "export",
        str(testimony.case.code),
        "--recipient",
        "national",
        "--out",
        str(out),
    )
    assert bundle.verify_bundle(out.open("rb")).ok
    assert AuditEntry.objects.filter(action="testimony.export_written").exists()
