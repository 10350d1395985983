"""Building a dossier: read the vetting, lay out the manifest, render the PDF, sign, pack.

Free texts (findings, claims, reasons) are written by people and may quote the man's
name: unless a field was chosen for this recipient, every identity value found in them is
replaced by "[withheld]" before it goes into the manifest or the PDF.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat, load_pem_public_key
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tropa.accounts.models import Role, User
from tropa.cases.models import Identity
from tropa.core.pdf import html_to_pdf
from tropa.crypto.fields import unseal
from tropa.evidence import vault
from tropa.evidence.bundle import BundlePlan, fingerprint, public_pem
from tropa.evidence.bundle.writing import _small

from ..models import (
    Basis,
    Check,
    CheckKind,
    CheckStatus,
    Claim,
    Credibility,
    Decision,
    Outcome,
    Recipient,
    Reliability,
    Vetting,
)
from . import FORMAT, PDF_NAME

WITHHELD = "[withheld]"

IDENTITY_LABELS = {
    "surname": gettext_lazy("Surname"),
    "given_name": gettext_lazy("Given name"),
    "patronymic": gettext_lazy("Patronymic"),
    "surname_latin": gettext_lazy("Surname (Latin)"),
    "given_name_latin": gettext_lazy("Given name (Latin)"),
    "birth_date": gettext_lazy("Date of birth"),
    "birthplace": gettext_lazy("Place of birth"),
    "documents": gettext_lazy("Documents"),
}


@dataclass
class DossierFile:
    manifest: dict[str, Any]
    html: str
    pdf: bytes
    plan: BundlePlan

    def tar_bytes(self) -> bytes:
        out = io.BytesIO()
        self.plan.write(out)
        return out.getvalue()


def identity_values(vetting: Vetting) -> dict[str, Any]:
    """The man's identity, decrypted to be included or withheld (never shown here)."""
    row = Identity.objects.filter(person=vetting.case.person_id).first()
    return {} if row is None else dict(unseal(row, "sealed", row.sealed))


def _redactor(identity: dict[str, Any], keep: list[str]) -> Any:
    words: set[str] = set()
    for name, value in identity.items():
        if name in keep:
            continue
        if name == "documents":
            words.update(str(d.get("number", "")) for d in value or [])
        elif isinstance(value, list):
            words.update(str(v) for v in value)
        else:
            words.add(str(value))
    words = {w.strip() for w in words if len(w.strip()) >= 3}
    if not words:
        return lambda text: text
    pattern = re.compile("|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)), re.I)
    return lambda text: pattern.sub(WITHHELD, text)


def _iso(value: datetime | None) -> str:
    return value.astimezone(UTC).replace(microsecond=0).isoformat() if value else ""


def _human(iso: str) -> str:
    """An ISO time as the PDF prints it: "2026-12-01 13:01 UTC"."""
    return f"{iso[:10]} {iso[11:16]} UTC" if iso else "—"


def _checks(vetting: Vetting, redact: Any) -> list[dict[str, Any]]:
    rows = []
    for check in Check.objects.filter(
        organization=vetting.organization_id, vetting=vetting
    ).select_related("item", "updated_by"):
        data = unseal(check, "sealed", bytes(check.sealed)) if check.sealed else {}
        rows.append(
            {
                "kind": check.item.kind,
                "name": check.item.name,
                "status": check.status,
                "finding": redact(data.get("finding", "")),
                "by_role": check.updated_by.role if check.updated_by else "",
                "at": _iso(check.updated_at),
                "evidence": data.get("evidence", []),
                "screening_reviews": data.get("hits", []),
                "interview_notes": len(data.get("notes", [])),
            }
        )
    return rows


def _claims(vetting: Vetting, redact: Any) -> list[dict[str, Any]]:
    rows = []
    for claim in Claim.objects.filter(
        organization=vetting.organization_id, vetting=vetting
    ).select_related("graded_by"):
        data = unseal(claim, "sealed", bytes(claim.sealed))
        rows.append(
            {
                "text": redact(data.get("text", "")),
                "basis": claim.basis,
                "basis_text": redact(data.get("basis_text", "")),
                "reliability": claim.reliability,
                "credibility": claim.credibility,
                "admiralty": claim.admiralty,
                "graded_by_role": claim.graded_by.role if claim.graded_by else "",
                "graded_at": _iso(claim.graded_at),
            }
        )
    return rows


def _evidence(vetting: Vetting) -> list[dict[str, Any]]:
    from tropa.evidence.models import EvidenceItem

    items = EvidenceItem.objects.filter(organization=vetting.organization_id, case=vetting.case_id)
    return [
        {
            "code": str(i.code),
            "sha256": i.sha256,
            "size": i.size,
            "mime": i.mime,
            "received_at": _iso(i.received_at),
            "ingested_at": _iso(i.created_at),
        }
        for i in items.order_by("created_at").only(
            "code", "sha256", "size", "mime", "received_at", "created_at"
        )
    ]


def _screening(vetting: Vetting) -> dict[str, Any]:
    from django.db.models import Q

    from tropa.screening.models import HitStatus, ListVersion, RunKind, ScreeningHit, ScreeningRun

    versions = (
        ListVersion.objects.filter(
            Q(watchlist__organization__isnull=True)
            | Q(watchlist__organization=vetting.organization_id)
        )
        .select_related("watchlist")
        .order_by("watchlist__name", "-number")
    )
    latest: dict[Any, ListVersion] = {}
    for version in versions:
        latest.setdefault(version.watchlist_id, version)
    run = (
        ScreeningRun.objects.filter(
            organization=vetting.organization_id, case=vetting.case_id, kind=RunKind.CASE
        )
        .order_by("-at")
        .first()
    )
    hits = ScreeningHit.objects.filter(organization=vetting.organization_id, case=vetting.case_id)
    return {
        "lists": [
            {
                "name": v.watchlist.name,
                "version": v.number,
                "imported_at": _iso(v.imported_at),
                "sha256": v.sha256,
            }
            for v in latest.values()
        ],
        "last_screened_at": _iso(run.at) if run else "",
        "hits": {s: hits.filter(status=s).count() for s in HitStatus.values},
    }


def _decision(decision: Decision, redact: Any) -> dict[str, Any]:
    signoffs = []
    for s in decision.signoffs.select_related("user"):
        override = (
            unseal(s, "sealed_override", bytes(s.sealed_override)) if s.sealed_override else ""
        )
        signoffs.append(
            {
                "role": s.role,
                "user": s.user.get_username(),
                "at": _iso(s.at),
                "override": redact(override),
            }
        )
    return {
        "code": str(decision.code),
        "outcome": decision.outcome,
        "reasons": redact(unseal(decision, "sealed_reasons", bytes(decision.sealed_reasons))),
        "decided_at": _iso(decision.decided_at),
        "signoffs": signoffs,
    }


def _key_entry(public_hex: str) -> dict[str, str]:
    return {
        "algorithm": "Ed25519",
        "public_key_hex": public_hex,
        "fingerprint_sha256": fingerprint(public_hex),
        "spki_sha256": _spki_sha256(public_hex),
    }


def _spki_sha256(public_hex: str) -> str:
    key = load_pem_public_key(public_pem(public_hex))
    return hashlib.sha256(
        key.public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
    ).hexdigest()


def dossier_contents(
    vetting: Vetting, decision: Decision, identity_fields: list[str]
) -> dict[str, Any]:
    """What a dossier says, without the file around it: for a referral that carries the
    dossier to another organization (``tropa.sharing``). Free texts are redacted as in a
    dossier, keeping only ``identity_fields``."""
    redact = _redactor(identity_values(vetting), identity_fields)
    return {
        "organization": vetting.case.organization.name,
        "vetting": {"opened_at": _iso(vetting.opened_at), "decided_at": _iso(vetting.decided_at)},
        "checks": _checks(vetting, redact),
        "claims": _claims(vetting, redact),
        "evidence": _evidence(vetting),
        "screening": _screening(vetting),
        "decision": _decision(decision, redact),
    }


def build_dossier(
    *,
    vetting: Vetting,
    decision: Decision,
    language: str,
    recipient: dict[str, str],
    identity_fields: list[str],
    dossier_code: str,
    requested_by: User | None,
    approved_by: User | None,
) -> DossierFile:
    """Everything read and laid out: ``DossierFile.plan.write`` then only streams."""
    when = timezone.now().replace(microsecond=0)
    identity = identity_values(vetting)
    redact = _redactor(identity, identity_fields)
    private, key_row = vault.signing_key(vetting.case.organization)
    manifest: dict[str, Any] = {
        "format": FORMAT,
        "dossier": dossier_code,
        "case": str(vetting.case.code),
        "organization": vetting.case.organization.name,
        "language": language,
        "recipient": recipient,
        "created_at": when.isoformat(),
        "requested_by_role": requested_by.role if requested_by else "operator",
        "approved_by_role": approved_by.role if approved_by else "",
        "person": {
            "pseudonym": redact(vetting.case.person.pseudonym),
            "identity": {k: identity[k] for k in identity_fields if k in identity},
        },
        "vetting": {"opened_at": _iso(vetting.opened_at), "decided_at": _iso(vetting.decided_at)},
        "checks": _checks(vetting, redact),
        "claims": _claims(vetting, redact),
        "evidence": _evidence(vetting),
        "screening": _screening(vetting),
        "decision": _decision(decision, redact),
        "signing_key": _key_entry(key_row.public_key),
    }
    html = render_pdf_html(manifest, language)
    pdf = html_to_pdf(html)
    manifest["pdf"] = {
        "file": PDF_NAME,
        "sha256": hashlib.sha256(pdf).hexdigest(),
        "size": len(pdf),
    }
    data = json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True).encode()
    with translation.override("en"):
        readme = render_to_string("vetting/dossier_readme.txt", {"manifest": manifest})
    members = [
        _small("README.txt", readme.encode()),
        _small("manifest.json", data),
        _small("manifest.json.sig", private.sign(data)),
        _small("signing-key.pem", public_pem(key_row.public_key)),
        _small(PDF_NAME, pdf),
    ]
    plan = BundlePlan(members=members, key=None, when=when, manifest=manifest)
    return DossierFile(manifest=manifest, html=html, pdf=pdf, plan=plan)


def render_pdf_html(manifest: dict[str, Any], language: str) -> str:
    """The PDF's HTML, every label in the recipient's language."""
    with translation.override(language):
        status, kinds = dict(CheckStatus.choices), dict(CheckKind.choices)
        roles = {**dict(Role.choices), "operator": _("operator")}
        checks = [
            {
                **c,
                "title": c["name"] or kinds.get(c["kind"], c["kind"]),
                "status_label": status.get(c["status"], c["status"]),
                "role_label": roles.get(c["by_role"], c["by_role"]),
                "when": _human(c["at"]) if c["at"] else "",
            }
            for c in manifest["checks"]
        ]
        claims = [
            {
                **c,
                "basis_label": dict(Basis.choices).get(c["basis"], "—"),
                "reliability_label": dict(Reliability.choices).get(c["reliability"], "—"),
                "credibility_label": dict(Credibility.choices).get(c["credibility"], "—"),
            }
            for c in manifest["claims"]
        ]
        decision = manifest["decision"]
        signoffs = [
            {**s, "role_label": roles.get(s["role"], s["role"]), "when": _human(s["at"])}
            for s in decision["signoffs"]
        ]
        context = {
            "m": manifest,
            "checks": checks,
            "claims": claims,
            "outcome": dict(Outcome.choices).get(decision["outcome"], decision["outcome"]),
            "signoffs": signoffs,
            "evidence": [{**e, "when": _human(e["ingested_at"])} for e in manifest["evidence"]],
            "lists": [
                {**x, "when": _human(x["imported_at"])} for x in manifest["screening"]["lists"]
            ],
            "screened": _human(manifest["screening"]["last_screened_at"]),
            "created": _human(manifest["created_at"]),
            "recipient_kind": dict(Recipient.choices).get(
                manifest["recipient"].get("kind", ""), ""
            ),
            "identity_rows": [
                (IDENTITY_LABELS.get(k, k), _identity_text(v))
                for k, v in manifest["person"]["identity"].items()
            ],
        }
        return render_to_string("vetting/dossier.html", context)


def _identity_text(value: Any) -> str:
    if isinstance(value, list):
        return "; ".join(
            " ".join(str(d.get(k, "")) for k in ("kind", "number")).strip()
            if isinstance(d, dict)
            else str(d)
            for d in value
        )
    return str(value)
