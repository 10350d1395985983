"""Preparing a bundle: the custody entries, the manifest's entries, the manifest, the members.

Every database read happens here, so that ``BundlePlan.write`` can run in another thread
and stream for as long as it takes. The steps, in order:

1. ``_record_custody``: each item's custody log says it leaves in this bundle (one
   transaction, with the audit entry), before anything is laid out;
2. ``_entry``: each item's manifest entry and its file member;
3. ``_manifest``: the signed document naming them all;
4. ``_members``: the small files (README, manifest, signature, custody, summaries) and then
   the items' files, in the order the tar holds them.

A failure after step 1 records in each custody log that nothing left (``record_aborted``).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tropa.accounts.models import User
from tropa.audit.actions import Action
from tropa.audit.services import log_action
from tropa.cases.models import Case
from tropa.core.pdf import html_to_pdf

from .. import custody, vault
from ..models import CustodyAction, DerivedKind, DerivedObject, EvidenceItem
from ..records import read_metadata, read_record
from .common import FORMAT, NoStrippedCopy, fingerprint, public_pem
from .summary import render_summary
from .writing import BundlePlan, _Member, _small

# What a stripped copy's entry leaves out of its collection record: anything that could
# lead back to a person or a place (the browser's file time is in "extra"; the helper who
# received it is a person at risk too). The original's SHA-256 and size stay: they are the
# link to the original that the chain of custody needs.
_WITHHELD = ("original_name", "source", "file_modified", "note", "extra", "received_by")


def prepare_bundle(
    *,
    case: Case,
    variants: dict[EvidenceItem, str],
    actor: User | None,
    approved_by: User | None = None,
    export_code: str = "",
    documents: dict[str, bytes] | None = None,
) -> BundlePlan:
    """Record the export in each item's custody log and lay out the bundle.

    ``documents`` are further files another app puts in the bundle (testimony puts
    ``testimony/testimony.json`` and its PDF statement): listed in the signed manifest with
    their SHA-256, and in SHA256SUMS, before the items' files."""
    when = timezone.now().replace(microsecond=0)
    key = vault.case_key(case)  # KeyErased before anything is recorded
    private, signing_row = vault.signing_key(case.organization)
    ordered = sorted(variants.items(), key=lambda pair: pair[0].created_at)
    entries: list[dict[str, Any]] = []
    files: list[_Member] = []
    chains: dict[str, list[dict[str, Any]]] = {}
    with transaction.atomic():
        for item, variant in ordered:
            stripped = _record_custody(item, variant, actor, export_code)
            entry, member = _entry(item, variant, stripped)
            chains[str(item.code)] = custody.as_dicts(item)
            entry["custody_head"] = chains[str(item.code)][-1]["hash"]
            entries.append(entry)
            files.append(member)
        log_action(
            actor,
            Action.EVIDENCE_BUNDLE_PREPARED,
            case,
            export=export_code or "cli",
            items=len(entries),
        )
    extra = [_small(name, data) for name, data in (documents or {}).items()]
    try:
        manifest = _manifest(case, when, actor, approved_by, signing_row.public_key, entries)
        if extra:
            manifest["documents"] = [
                {"name": m.name, "sha256": m.sha256, "size": m.size} for m in extra
            ]
        members = _members(
            manifest, chains, [*extra, *files], private.sign, signing_row.public_key, actor
        )
    except BaseException:
        record_aborted(list(variants), actor, export_code)
        raise
    return BundlePlan(members=members, key=key, when=when, manifest=manifest, items=list(variants))


def _record_custody(
    item: EvidenceItem, variant: str, actor: User | None, export_code: str
) -> DerivedObject | None:
    """The item's custody log says it leaves; its stripped copy, if it has one."""
    stripped = item.derived.filter(kind=DerivedKind.STRIPPED).first()
    if variant == "stripped" and stripped is None:
        raise NoStrippedCopy(_("An item chosen as a stripped copy has none."))
    custody.append(
        item,
        CustodyAction.EXPORT,
        actor,
        # The hash of what goes out: for a stripped copy, the copy's, not the original's.
        object_sha256=stripped.sha256 if variant == "stripped" and stripped else "",
        export=export_code or "cli",
        variant=variant,
    )
    return stripped


def _entry(
    item: EvidenceItem, variant: str, stripped: DerivedObject | None
) -> tuple[dict[str, Any], _Member]:
    """The item's manifest entry (without its custody head) and the file that goes out."""
    record = read_record(item)
    entry: dict[str, Any] = {
        "code": str(item.code),
        "variant": variant,
        "original": {"sha256": item.sha256, "size": item.size, "mime": item.mime},
        "received_at": item.received_at.astimezone(UTC).isoformat(),
        "collection": record,
    }
    if variant == "stripped" and stripped is not None:
        # A stripped copy is chosen to protect people: its record travels without names.
        for withheld in _WITHHELD:
            record.pop(withheld, None)
        entry.update(
            file=f"files/{item.code}-stripped.{item.extension or 'bin'}",
            sha256=stripped.sha256,
            size=stripped.size,
            derived_from=item.sha256,
            derived_tool=stripped.tool,
            metadata=None,
            withheld=["metadata", *_WITHHELD],
        )
        blob = stripped.blob
    else:
        metadata = read_metadata(item)
        entry.update(
            file=f"files/{item.generic_name}",
            sha256=item.sha256,
            size=item.size,
            metadata=metadata or None,
        )
        blob = item.blob
    member = _Member(
        entry["file"], entry["size"], entry["sha256"], blob=blob, item_code=entry["code"]
    )
    return entry, member


def _manifest(
    case: Case,
    when: datetime,
    actor: User | None,
    approved_by: User | None,
    public_key: str,
    entries: list[dict[str, Any]],
) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "case": str(case.code),
        "organization": case.organization.name,
        "exported_at": when.isoformat(),
        "exported_by": actor.get_username() if actor is not None else "",
        "approved_by": approved_by.get_username() if approved_by is not None else "",
        "signing_key": {
            "algorithm": "Ed25519",
            "public_key_hex": public_key,
            "fingerprint_sha256": fingerprint(public_key),
        },
        "items": entries,
    }


def _members(
    manifest: dict[str, Any],
    chains: dict[str, list[dict[str, Any]]],
    files: list[_Member],
    sign: Any,
    public_key: str,
    actor: User | None = None,
) -> list[_Member]:
    """The tar's members in order: the small documents first, then the items' files."""
    manifest_bytes = json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True).encode()
    summary = render_summary(manifest, actor)
    with translation.override("en"):
        readme = render_to_string(
            "evidence/bundle_readme.txt",
            {"manifest": manifest, "files": [m.name for m in files]},
        )
    return [
        _small("README.txt", readme.encode()),
        _small("manifest.json", manifest_bytes),
        _small("manifest.json.sig", sign(manifest_bytes)),
        _small("signing-key.pem", public_pem(public_key)),
        _small("custody.json", json.dumps(chains, ensure_ascii=False, indent=2).encode()),
        _small("summary.html", summary.encode()),
        _small("summary.pdf", html_to_pdf(summary)),
        *files,
    ]


def record_aborted(items: list[EvidenceItem], actor: User | None, export_code: str) -> None:
    """The custody logs already say these items went into a bundle: say that none left."""
    with transaction.atomic():
        for item in items:
            custody.append(item, CustodyAction.EXPORT_ABORTED, actor, export=export_code or "cli")
