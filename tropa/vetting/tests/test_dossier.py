"""The dossier: verifies after export; tampering fails our verify and openssl; no canary."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import tarfile
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from conftest import CANARY, CANARY_LATIN
from tropa.accounts.models import User
from tropa.audit.models import AuditEntry
from tropa.vetting import services
from tropa.vetting.models import Decision, Vetting

from .conftest import add_evidence

OPENSSL = shutil.which("openssl")


def _export(vetting: Vetting, path: Path, *args: str) -> str:
    out = io.StringIO()
    call_command("dossier", "export", str(vetting.case.code), "--out", str(path), *args, stdout=out)
    return out.getvalue()


def _verify(path: Path) -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command("dossier", "verify", str(path), stdout=out)
    except SystemExit as exc:
        return int(exc.code or 0), out.getvalue()
    return 0, out.getvalue()


def _members(path: Path) -> dict[str, bytes]:
    with tarfile.open(path) as tar:
        return {m.name: tar.extractfile(m).read() for m in tar}  # type: ignore[union-attr]  # files only


def _rewrite(path: Path, members: dict[str, bytes], target: Path) -> None:
    """The dossier repacked with changed members (what a forger would do)."""
    with tarfile.open(target, "w") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))


def _openssl_verifies(members: dict[str, bytes], folder: Path) -> bool:
    assert OPENSSL, "openssl is needed to prove what a recipient can check"
    folder.mkdir(exist_ok=True)
    for name, data in members.items():
        (folder / name).write_bytes(data)
    result = subprocess.run(
        [
            OPENSSL,
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
        text=True,
        check=False,
    )
    return result.returncode == 0 and "Signature Verified Successfully" in result.stdout


def test_export_verifies_with_tropa_and_openssl(
    decided: Decision, vetting: Vetting, verifier: User, tmp_path: Path
) -> None:
    item = add_evidence(vetting.case, verifier)
    path = tmp_path / "dossier.tar"
    assert "pseudonym only" in _export(vetting, path, "--lang", "de")
    assert _verify(path) == (0, _verify(path)[1]) and "dossier intact" in _verify(path)[1]
    members = _members(path)
    manifest = json.loads(members["manifest.json"])
    assert manifest["language"] == "de" and manifest["decision"]["outcome"] == "recommend"
    assert [e["sha256"] for e in manifest["evidence"]] == [item.sha256]
    assert len(manifest["decision"]["signoffs"]) == 2 and manifest["claims"][0]["admiralty"] == "B2"
    assert _openssl_verifies(members, tmp_path / "x")
    digest = subprocess.run(
        [OPENSSL, "dgst", "-sha256", str(tmp_path / "x" / "dossier.pdf")],  # type: ignore[list-item]  # asserted above
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert manifest["pdf"]["sha256"] in digest
    der = subprocess.run(
        [OPENSSL, "pkey", "-pubin", "-in", "signing-key.pem", "-outform", "DER"],  # type: ignore[list-item]  # asserted above
        cwd=tmp_path / "x",
        capture_output=True,
        check=True,
    ).stdout
    spki = subprocess.run(
        [OPENSSL, "dgst", "-sha256"],
        input=der,
        capture_output=True,
        check=True,  # type: ignore[list-item]  # asserted above
    ).stdout.decode()
    assert manifest["signing_key"]["spki_sha256"] in spki
    assert members["dossier.pdf"].startswith(b"%PDF")
    assert AuditEntry.objects.filter(action="vetting.dossier_exported").exists()


def test_a_flipped_byte_fails(decided: Decision, vetting: Vetting, tmp_path: Path) -> None:
    path = tmp_path / "d.tar"
    _export(vetting, path)
    data = bytearray(path.read_bytes())
    members = _members(path)
    # A byte inside the PDF, and one inside the manifest.
    pdf_at = data.index(b"%PDF") + 200
    data[pdf_at] ^= 0x01
    (tmp_path / "pdf.tar").write_bytes(bytes(data))
    code, out = _verify(tmp_path / "pdf.tar")
    assert code == 1 and "dossier.pdf: SHA-256" in out and "SHA256SUMS" in out
    data = bytearray(path.read_bytes())
    at = data.index(b'"format"') + 3
    data[at] ^= 0x01
    (tmp_path / "man.tar").write_bytes(bytes(data))
    code, out = _verify(tmp_path / "man.tar")
    assert code == 1 and "manifest.json" in out
    assert not _openssl_verifies(_members(tmp_path / "man.tar"), tmp_path / "m")
    assert _openssl_verifies(members, tmp_path / "ok")


def test_an_edited_manifest_fails(decided: Decision, vetting: Vetting, tmp_path: Path) -> None:
    path = tmp_path / "d.tar"
    _export(vetting, path)
    members = _members(path)
    manifest = json.loads(members["manifest.json"])
    manifest["decision"]["outcome"] = (
        "recommend" if manifest["decision"]["outcome"] != "recommend" else "defer"
    )
    members["manifest.json"] = json.dumps(
        manifest, ensure_ascii=False, indent=2, sort_keys=True
    ).encode()
    _rewrite(path, members, tmp_path / "e.tar")
    code, out = _verify(tmp_path / "e.tar")
    assert code == 1 and "manifest.json.sig: the signature does not match" in out
    assert "manifest.json: SHA-256 differs from SHA256SUMS" in out
    assert not _openssl_verifies(members, tmp_path / "e")


def test_a_swapped_signature_fails(
    decided: Decision, vetting: Vetting, tmp_path: Path, canary_case: object
) -> None:
    first, second = tmp_path / "1.tar", tmp_path / "2.tar"
    _export(vetting, first, "--lang", "en")
    _export(vetting, second, "--lang", "fr")
    members = _members(first)
    members["manifest.json.sig"] = _members(second)["manifest.json.sig"]
    _rewrite(first, members, tmp_path / "s.tar")
    code, out = _verify(tmp_path / "s.tar")
    assert code == 1 and "manifest.json.sig" in out
    assert not _openssl_verifies(members, tmp_path / "s")


def test_a_missing_part_is_named(decided: Decision, vetting: Vetting, tmp_path: Path) -> None:
    path = tmp_path / "d.tar"
    _export(vetting, path)
    members = _members(path)
    del members["dossier.pdf"]
    _rewrite(path, members, tmp_path / "m.tar")
    code, out = _verify(tmp_path / "m.tar")
    assert code == 1 and "dossier.pdf: missing" in out
    (tmp_path / "junk.tar").write_bytes(b"not a tar at all" * 100)
    assert _verify(tmp_path / "junk.tar")[0] == 1


def test_refused_unless_decided(vetting: Vetting, verifier: User, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="decided"):
        _export(vetting, tmp_path / "d.tar")
    assert not (tmp_path / "d.tar").exists()


def test_no_canary_without_identity(
    decided: Decision, vetting: Vetting, verifier: User, tmp_path: Path
) -> None:
    """Even a finding and a claim that quote his surname carry "[withheld]" instead."""
    from tropa.vetting.dossier.build import build_dossier

    services.reopen_decision(actor=verifier, decision=decided, reason="Add the finding")
    vetting.refresh_from_db()
    check = vetting.checks.first()
    assert check is not None
    services.update_check(
        actor=verifier,
        check=check,
        status="satisfied",
        finding=f"Паспорт {CANARY} видели; {CANARY_LATIN.upper()}",
    )
    services.add_claim(actor=verifier, vetting=vetting, text=f"{CANARY} служил в в/ч 12345")
    from .conftest import satisfy_all  # noqa: F401 (the decision is signed again below)

    second = services.propose_decision(
        actor=verifier, vetting=vetting, outcome="defer", reasons=f"Ждём {CANARY}"
    )
    from tropa.accounts.models import User as U

    services.sign_decision(actor=U.objects.get(username="walt"), decision=second)
    vetting.refresh_from_db()
    path = tmp_path / "d.tar"
    _export(vetting, path, "--lang", "ru")
    raw = path.read_bytes()
    for needle in (CANARY.encode(), CANARY_LATIN.encode(), CANARY_LATIN.upper().encode()):
        assert needle not in raw
    made = build_dossier(
        vetting=vetting,
        decision=second,
        language="ru",
        recipient={"kind": "ngo", "name": "x"},
        identity_fields=[],
        dossier_code="t",
        requested_by=None,
        approved_by=None,
    )
    assert CANARY not in made.html and CANARY_LATIN.upper() not in made.html
    assert "[withheld]" in made.html and "Funker" in made.html
    # Chosen for this recipient: the surname goes in, audited as a reveal.
    _export(vetting, tmp_path / "i.tar", "--with-identity", "surname,birth_date")
    manifest = json.loads(_members(tmp_path / "i.tar")["manifest.json"])
    assert manifest["person"]["identity"] == {"surname": CANARY}
    entry = AuditEntry.objects.filter(action="vetting.dossier_identity_included").latest("id")
    assert entry.detail["fields"] == ["surname", "birth_date"]
    assert AuditEntry.objects.filter(action="identity.revealed", detail__purpose="dossier").exists()
    with pytest.raises(CommandError, match="not identity fields"):
        _export(vetting, tmp_path / "x.tar", "--with-identity", "phone")


def test_a_replaced_pdf_with_fresh_checksums_fails(
    decided: Decision, vetting: Vetting, tmp_path: Path
) -> None:
    """SHA256SUMS is not signed: a forger can rewrite it. The signed manifest's hash of the
    PDF is what catches a replaced PDF."""
    import hashlib

    path = tmp_path / "d.tar"
    _export(vetting, path)
    members = _members(path)
    members["dossier.pdf"] = members["dossier.pdf"].replace(b"/Title", b"/Titlf", 1) + b"\n%forged"
    members["SHA256SUMS"] = "".join(
        f"{hashlib.sha256(data).hexdigest()}  {name}\n"
        for name, data in members.items()
        if name != "SHA256SUMS"
    ).encode()
    _rewrite(path, members, tmp_path / "f.tar")
    code, out = _verify(tmp_path / "f.tar")
    assert code == 1 and "differs from the manifest's" in out
    assert "SHA256SUMS" not in out
