"""Export for an investigator: the testimony as a versioned JSON document and a PDF
statement in the recipient's language, inside the evidence vault's signed bundle, after a
second person's approval, with an expiry, and only for a recipient kind the witness
consented to. Consent is checked again at every step (request, approval, download), and a
withdrawal blocks what was built and not yet downloaded."""

from __future__ import annotations

import json
from datetime import UTC, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tropa.accounts.models import User
from tropa.accounts.permissions import Cap, can
from tropa.audit.actions import Action
from tropa.audit.services import log_action
from tropa.cases.models import Case
from tropa.crypto.fields import seal, unseal

from ..errors import TestimonyError
from ..flags import flag_of
from ..models import Event, ExportStatus, Testimony, TestimonyExport, Witness
from ..vocabulary import ARTICLES, RecipientKind

SCHEMA = "tropa-testimony/1"
LANGUAGES = ("en", "fr", "uk", "ru", "de")


def _witness(case: Case) -> Witness | None:
    return Witness.objects.filter(organization=case.organization_id, case=case).first()


def _require_consent(actor: User | None, case: Case, kind: str) -> None:
    from .interviews import consented

    if not consented(_witness(case), kind):
        log_action(actor, Action.TESTIMONY_EXPORT_WITHOUT_CONSENT, case)
        raise TestimonyError(
            _("The witness has not consented to sharing his testimony with this recipient.")
        )


def recipient_of(export: TestimonyExport) -> str:
    return str(unseal(export, "sealed_recipient", export.sealed_recipient))


def request_export(
    *, actor: User, testimony: Testimony, kind: str, language: str
) -> TestimonyExport:
    if kind not in RecipientKind.values or kind == RecipientKind.NONE:
        raise TestimonyError(_("Choose a recipient."))
    if language not in LANGUAGES:
        raise TestimonyError(_("Choose the language of the statement."))
    _require_consent(actor, testimony.case, kind)
    from tropa.evidence.services.quota import export_days

    now = timezone.now()
    with transaction.atomic():
        export = TestimonyExport(
            organization_id=testimony.organization_id,
            case=testimony.case,
            testimony=testimony,
            language=language,
            requested_by=actor,
            requested_at=now,
            expires_at=now + timedelta(days=export_days()),
        )
        export.sealed_recipient = seal(export, "sealed_recipient", kind)
        export.save()
        log_action(
            actor, Action.TESTIMONY_EXPORT_REQUESTED, testimony.case, export=str(export.code)
        )
    return export


def decide_export(*, actor: User, export: TestimonyExport, approve: bool) -> None:
    """A second person approves (the bundle is built at once: it is small) or refuses."""
    if export.status != ExportStatus.PENDING or export.expires_at < timezone.now():
        raise TestimonyError(_("This export request is no longer waiting for a decision."))
    if export.requested_by_id == actor.pk:
        raise TestimonyError(_("Someone other than the requester must decide on an export."))
    if not can(actor, Cap.APPROVE_EXPORT):
        raise TestimonyError(_("Your role cannot approve exports."))
    if approve:
        _require_consent(actor, export.case, recipient_of(export))
    with transaction.atomic():
        status = ExportStatus.READY if approve else ExportStatus.REFUSED
        fields: dict[str, Any] = {
            "status": status,
            "decided_by": actor,
            "decided_at": timezone.now(),
        }
        if approve:
            fields.update(_build(export, actor))
        done = TestimonyExport.objects.filter(
            organization=export.organization_id, pk=export.pk, status=ExportStatus.PENDING
        ).update(**fields)
        if done != 1:
            raise TestimonyError(_("This export request is no longer waiting for a decision."))
        action = Action.TESTIMONY_EXPORT_APPROVED if approve else Action.TESTIMONY_EXPORT_REFUSED
        log_action(actor, action, export.case, export=str(export.code))
    export.refresh_from_db()


def _build(export: TestimonyExport, approver: User) -> dict[str, Any]:
    """Build the bundle and store it encrypted with the case key."""
    from tropa.evidence import bundle, vault
    from tropa.evidence.storage import get_storage

    plan = _plan(
        export.testimony,
        recipient_of(export),
        export.language,
        export.requested_by,
        approver,
        str(export.code),
    )
    reader = bundle.thread_pipe(plan.write)
    storage = get_storage()
    written = vault.write_encrypted(storage, plan.key, reader.read, limit=2**40)
    reader.finish()
    return {"blob": written.blob, "sha256": written.sha256, "size": written.size}


def _plan(
    testimony: Testimony,
    kind: str,
    language: str,
    actor: User | None,
    approver: User | None,
    code: str,
) -> Any:
    from tropa.evidence import bundle, vault

    vault.case_key(testimony.case, create=True)  # a case with no evidence yet has no key
    document = testimony_document(testimony, kind, language)
    payload = json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True).encode()
    return bundle.prepare_bundle(
        case=testimony.case,
        variants={},
        actor=actor,
        approved_by=approver,
        export_code=code,
        documents={
            "testimony/testimony.json": payload,
            f"testimony/statement-{language}.pdf": statement_pdf(document, language),
        },
    )


def download_export(*, actor: User, export: TestimonyExport) -> bytes:
    """The bundle's bytes, once; consent is checked again first."""
    from tropa.evidence import vault
    from tropa.evidence.storage import get_storage

    if export.status != ExportStatus.READY or export.expires_at < timezone.now():
        raise TestimonyError(_("This bundle is not available (not ready, blocked or expired)."))
    if export.requested_by_id != actor.pk:
        raise TestimonyError(_("Only the person who requested the export can download it."))
    _require_consent(actor, export.case, recipient_of(export))
    storage = get_storage()
    with transaction.atomic():
        taken = TestimonyExport.objects.filter(
            organization=export.organization_id, pk=export.pk, status=ExportStatus.READY
        ).update(status=ExportStatus.DOWNLOADED, blob="")
        if taken != 1:
            raise TestimonyError(_("This bundle is not available (not ready, blocked or expired)."))
        data = vault.read_all(storage, vault.case_key(export.case), export.blob)
        log_action(actor, Action.TESTIMONY_EXPORT_DOWNLOADED, export.case, export=str(export.code))
        blob = export.blob
        transaction.on_commit(lambda: storage.delete(blob))
    return data


def block_exports(*, actor: User | None, case: Case, kind: str) -> int:
    """Consent for ``kind`` is gone: every export to it not yet downloaded is blocked and
    its built bundle deleted. Returns how many."""
    from tropa.evidence.storage import get_storage

    open_exports = TestimonyExport.objects.filter(
        organization=case.organization_id,
        case=case,
        status__in=[ExportStatus.PENDING, ExportStatus.READY],
    )
    blocked = 0
    storage = get_storage()
    for export in open_exports:
        if kind != RecipientKind.NONE and recipient_of(export) != kind:
            continue
        TestimonyExport.objects.filter(organization=case.organization_id, pk=export.pk).update(
            status=ExportStatus.BLOCKED, blob=""
        )
        if export.blob:
            blob = export.blob
            transaction.on_commit(lambda blob=blob: storage.delete(blob))  # type: ignore[misc]
        log_action(actor, Action.TESTIMONY_EXPORT_BLOCKED, case, export=str(export.code))
        blocked += 1
    return blocked


def write_export_file(
    *, actor: User | None, testimony: Testimony, kind: str, language: str, path: str
) -> None:
    """``tropa testimony export``: the same bundle, written to a file from the shell, and
    the same consent rule."""
    from tropa.evidence import bundle

    if kind not in RecipientKind.values or kind == RecipientKind.NONE:
        raise TestimonyError(_("Choose a recipient."))
    _require_consent(actor, testimony.case, kind)
    plan = _plan(testimony, kind, language, actor, None, "cli")
    bundle.write_to_file(plan, path)
    log_action(
        actor, Action.TESTIMONY_EXPORT_WRITTEN, testimony.case, testimony=str(testimony.code)
    )


# The document ---------------------------------------------------------------------------


def testimony_document(testimony: Testimony, kind: str, language: str) -> dict[str, Any]:
    """The testimony as the export's JSON document (schema in docs/testimony.md)."""
    from ..models import Unit
    from .corroboration import corroboration_count
    from .interviews import consent_history, current
    from .structure import act_data, event_data, unit_data

    witness = _witness(testimony.case)
    consent = [e for e in consent_history(witness) if e["kind"] == kind] if witness else []
    flag = flag_of(witness)
    units = {
        str(u.code): unit_data(u)
        for u in Unit.objects.filter(organization=testimony.organization_id)
    }
    latest = testimony.versions.order_by("-number").first()
    events = []
    for event in Event.objects.filter(organization=testimony.organization_id, testimony=testimony):
        data = event_data(event)
        acts = []
        for act in event.acts.all():
            record = act_data(act)
            acts.append(_act_document(act, record, units))
        events.append(
            {
                "code": str(event.code),
                **data,
                "corroborated_by": corroboration_count(event),
                "acts": acts,
            }
        )
    return {
        "format": SCHEMA,
        "exported_at": timezone.now().astimezone(UTC).isoformat(),
        "recipient": kind,
        "language": language,
        "case": str(testimony.case.code),
        "testimony": {
            "code": str(testimony.code),
            "version": testimony.versions_count,
            "saved_at": latest.saved_at.astimezone(UTC).isoformat() if latest else None,
            "interview": current(testimony),
        },
        "consent": consent,
        "may_be_implicated": None
        if flag is None
        else {
            "flagged_at": flag.set_at.isoformat(),
            "rights_explained_at": flag.rights_explained_at.isoformat()
            if flag.rights_explained_at
            else None,
        },
        "events": events,
    }


def _act_document(act: Any, record: dict[str, Any], units: dict[str, Any]) -> dict[str, Any]:
    perpetrators = [
        {**p, "unit": units.get(p["unit"]) if p.get("unit") else None}
        for p in record["perpetrators"]
    ]
    potential = record.get("potential")
    if potential:
        elements = ARTICLES[potential["article"]]["elements"]
        potential = {
            "article": potential["article"],
            "title": ARTICLES[potential["article"]]["title"],
            "elements": [
                {"text": t, "met": i in potential["elements"]} for i, t in enumerate(elements)
            ],
            "note": potential.get("note", ""),
        }
    return {
        "code": str(act.code),
        "kind": record["kind"],
        "description": record.get("description", ""),
        "victims": record["victims"],
        "perpetrators": perpetrators,
        "source": record["source"],
        "claimed": record.get("claimed"),
        "potential": potential,
    }


def statement_pdf(document: dict[str, Any], language: str) -> bytes:
    from tropa.core.pdf import html_to_pdf

    with translation.override(language):
        html = render_to_string(
            "testimony/statement.html",
            {"doc": document, "languages": dict(settings.LANGUAGES)},
        )
    return html_to_pdf(html)
