"""Checking a dossier without the database: what ``tropa dossier verify`` and a recipient run.

Never raises on bad input: each problem is named in the report.
"""

from __future__ import annotations

import hashlib
import json
import tarfile
from dataclasses import dataclass, field
from typing import Any, BinaryIO

# The evidence bundle's checks of the Ed25519 signature (and of the key file against the
# key named in the manifest) and of SHA256SUMS: a dossier uses the same member names.
from tropa.evidence.bundle.verifying import BundleReport, _check_signature, _check_sums

from . import FORMAT, MEMBERS, PDF_NAME

_LIMIT = 256 * 1024 * 1024


@dataclass
class DossierReport:
    problems: list[str] = field(default_factory=list)
    fingerprint: str = ""
    manifest: dict[str, Any] | None = None

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_dossier(source: BinaryIO, *, public_key: str = "") -> DossierReport:
    report = DossierReport()
    try:
        members = _read(source, report)
    except (tarfile.TarError, EOFError, OSError, ValueError) as exc:
        report.problems.append(f"the dossier is not a readable tar file ({type(exc).__name__})")
        return report
    for name in (*MEMBERS, "SHA256SUMS"):
        if name not in members:
            report.problems.append(f"{name}: missing")
    manifest = _manifest(members.get("manifest.json"), report)
    report.manifest = manifest
    shared = BundleReport(problems=report.problems)  # the bundle's checks add to our list
    _check_signature(members, manifest, shared, public_key)
    report.fingerprint = shared.fingerprint
    computed = {name: hashlib.sha256(data).hexdigest() for name, data in members.items()}
    _check_sums(members.get("SHA256SUMS", b""), computed, shared)
    if manifest is not None and PDF_NAME in members:
        pdf = manifest.get("pdf") or {}
        if pdf.get("sha256") != computed[PDF_NAME]:
            report.problems.append(
                f"{PDF_NAME}: SHA-256 {computed[PDF_NAME]} differs from the manifest's "
                f"{pdf.get('sha256')}"
            )
    return report


def _read(source: BinaryIO, report: DossierReport) -> dict[str, bytes]:
    members: dict[str, bytes] = {}
    with tarfile.open(fileobj=source, mode="r|") as tar:
        for member in tar:
            if not member.isfile() or member.size > _LIMIT:
                report.problems.append(f"{member.name!r}: not a regular file of a dossier")
                continue
            if member.name in members:
                report.problems.append(f"{member.name}: appears twice")
            handle = tar.extractfile(member)
            members[member.name] = handle.read() if handle is not None else b""
    return members


def _manifest(data: bytes | None, report: DossierReport) -> dict[str, Any] | None:
    if data is None:
        return None
    try:
        manifest = json.loads(data)
    except ValueError:
        report.problems.append("manifest.json: not valid JSON")
        return None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        report.problems.append(f"manifest.json: not a {FORMAT} manifest")
        return None
    return manifest
