"""Imports: staging an upload, previewing and correcting it, and importing all rows or none."""

from __future__ import annotations

import base64
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from tropa.accounts.models import Organization, User
from tropa.audit.actions import Action
from tropa.audit.services import log_action
from tropa.cases.models import Case
from tropa.crypto.fields import seal, unseal

from .. import importer
from ..models import (
    ANSWERED,
    Contact,
    ImportStaging,
    Institution,
    Request,
    Status,
    StatusChange,
)
from .base import OutreachError, statistics_changed
from .bulk import insert_rows
from .followups import followup_days
from .requests import identity_pattern, seal_letter

STAGING_LIFETIME = timedelta(hours=6)


@dataclass
class ImportSummary:
    rows: int = 0
    institutions_created: int = 0
    contacts_created: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    errors: list[importer.RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def import_requests(
    *,
    actor: User | None,
    organization: Organization,
    table: importer.Table,
    mapping: list[str],
    answers: dict[str, str],
    case: Case | None = None,
    dry_run: bool = False,
) -> ImportSummary:
    """Import every row of ``table`` or none of them.

    Rows are parsed first; a single bad row refuses the whole file and every bad row is
    reported. Institutions are matched by name (case-insensitive) and created when new.
    Requests still waiting past their period arrive as "no answer" and already claimed, so an
    old spreadsheet shows up in the follow-up list without flooding a case with tasks.
    """
    summary = ImportSummary()
    problems = importer.mapping_problems(mapping)
    if problems:
        summary.errors = [importer.RowError(0, p) for p in problems]
        return summary
    if case is not None and case.organization_id != organization.pk:
        raise OutreachError(_("This request mixes organizations."))
    today = timezone.localdate()
    parsed = importer.parse_rows(table, mapping, answers, today)
    summary.rows = len(parsed.rows)
    summary.errors = parsed.errors
    if parsed.errors:
        return summary
    with transaction.atomic():
        institutions = _institutions_for(organization, parsed.rows, summary)
        contacts = _contacts_for(organization, parsed.rows, institutions, summary)
        requests, changes = _build_imported(
            actor, organization, case, parsed.rows, institutions, contacts, today
        )
        for request in requests:
            summary.statuses[request["status"]] = summary.statuses.get(request["status"], 0) + 1
        if dry_run:
            transaction.set_rollback(True)
            return summary
        insert_rows(Request, requests)
        insert_rows(StatusChange, changes)
        statistics_changed(organization.pk)
        log_action(
            actor,
            Action.OUTREACH_IMPORTED,
            case,
            organization=organization,
            rows=summary.rows,
            institutions_created=summary.institutions_created,
            **{f"status_{k}": v for k, v in summary.statuses.items()},
        )
    return summary


def _institutions_for(
    organization: Organization, rows: list[importer.Row], summary: ImportSummary
) -> dict[str, Institution]:
    by_name = {i.name.casefold(): i for i in Institution.objects.filter(organization=organization)}
    new: dict[str, Institution] = {}
    for row in rows:
        key = row.institution.casefold()
        if key not in by_name and key not in new:
            new[key] = Institution(
                organization=organization,
                name=row.institution,
                kind=row.kind,
                country=row.country,
                city=row.city,
                channels=[row.channel],
            )
    Institution.objects.bulk_create(new.values())
    summary.institutions_created = len(new)
    return {**by_name, **new}


def _contacts_for(
    organization: Organization,
    rows: list[importer.Row],
    institutions: dict[str, Institution],
    summary: ImportSummary,
) -> dict[tuple[int, str], Contact]:
    known = {
        (c.institution_id, c.name.casefold()): c
        for c in Contact.objects.filter(organization=organization)
    }
    new: dict[tuple[int, str], Contact] = {}
    for row in rows:
        if not row.contact:
            continue
        institution = institutions[row.institution.casefold()]
        key = (institution.pk, row.contact.casefold())
        if key not in known and key not in new:
            new[key] = Contact(organization=organization, institution=institution, name=row.contact)
    Contact.objects.bulk_create(new.values())
    summary.contacts_created = len(new)
    return {**known, **new}


def _build_imported(
    actor: User | None,
    organization: Organization,
    case: Case | None,
    rows: list[importer.Row],
    institutions: dict[str, Institution],
    contacts: dict[tuple[int, str], Contact],
    today: date,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Requests and status changes as column values, sealed, ready for ``insert_rows``.

    Building model instances and letting ``bulk_create`` prepare every field costs more
    than everything else in a 100,000-row import together, so rows are built as values in
    database form here.
    """
    built = _ImportedRows(actor, organization, case, today)
    for row in rows:
        institution = institutions[row.institution.casefold()]
        built.add(row, institution, contacts.get((institution.pk, row.contact.casefold())))
    return built.requests, built.changes


class _ImportedRows:
    """The column values of imported requests and their status changes, row by row."""

    def __init__(
        self, actor: User | None, organization: Organization, case: Case | None, today: date
    ) -> None:
        self.organization_id, self.today = organization.pk, today
        self.days = followup_days(organization)
        self.ops, self.native_uuid = connection.ops, connection.features.has_native_uuid_field
        self.now = self.ops.adapt_datetimefield_value(timezone.now())
        self.owner = actor.pk if actor is not None and actor.is_authenticated else None
        self.case = self.key(case.pk) if case else None
        # One instance of each model stands in for every row when sealing: the associated
        # data is table, column and primary key, and the key is set per row.
        self.request_holder = Request(organization_id=organization.pk)
        self.change_holder = StatusChange(organization_id=organization.pk)
        # Rows imported for a case may name its person: such letters are kept apart, masked.
        self.pattern = identity_pattern(case)
        self.requests: list[dict[str, Any]] = []
        self.changes: list[dict[str, Any]] = []
        # Plain strings: enum member lookups inside a 100,000-row loop are measurably slow.
        self.pending, self.no_answer = Status.PENDING.value, Status.NO_ANSWER.value
        self.answered_values = {s.value for s in ANSWERED}

    def key(self, value: uuid.UUID) -> Any:
        return value if self.native_uuid else value.hex

    def add(self, row: importer.Row, institution: Institution, contact: Contact | None) -> None:
        date_value, holder = self.ops.adapt_datefield_value, self.request_holder
        due = row.sent_on + timedelta(days=self.days[institution.kind])
        status, status_on = row.status, row.answer_on or row.sent_on
        if status == self.pending and due < self.today:
            status, status_on = self.no_answer, self.today
        answered = status in self.answered_values and row.answer_on is not None
        pk = holder.pk = uuid.uuid4()
        seal_letter(holder, row.subject or row.institution, row.notes, self.pattern)
        self.requests.append(
            {
                "id": self.key(pk),
                "code": self.key(uuid.uuid4()),
                "organization": self.organization_id,
                "institution": institution.pk,
                "contact": contact.pk if contact else None,
                "case": self.case,
                "group": "",
                "channel": row.channel,
                "language": "",
                "sent_on": date_value(row.sent_on),
                "sent_by": self.owner,
                # The spreadsheet's own words stay with the request: subject and notes.
                "sealed": holder.sealed,
                "identity_sealed": holder.identity_sealed,
                "status": status,
                "status_on": date_value(status_on),
                "answer_due_on": date_value(due),
                "first_answer_on": date_value(row.answer_on) if answered else None,
                "days_to_answer": (row.answer_on - row.sent_on).days  # type: ignore[operator]
                if answered
                else None,
                "referred_to": "",
                # Old silence arrives already claimed: listed as due, but no flood of tasks.
                "followup_created_at": self.now if status == self.no_answer else None,
                "followup_done_at": None,
                "created_at": self.now,
            }
        )
        if status != self.pending:
            self.change_holder.pk = uuid.uuid4()
            self.changes.append(
                {
                    "id": self.key(self.change_holder.pk),
                    "organization": self.organization_id,
                    "request": self.key(pk),
                    "status": status,
                    "on": date_value(status_on),
                    "referred_to": "",
                    "sealed": seal(self.change_holder, "sealed", row.answer)
                    if row.answer
                    else None,
                    "by": self.owner,
                    "at": self.now,
                }
            )


def stage_import(
    *, actor: User | None, organization: Organization, data: bytes, case: Case | None = None
) -> ImportStaging:
    """Read an upload once and keep its rows, sealed, until the user confirms the mapping.

    The file itself is not kept: the preview, each correction of the mapping and the
    import work on the staged rows, so a large file is parsed once, not on every view.
    Old uploads (and the user's previous one) go first.
    """
    table = importer.read_table(data)  # refuses unreadable files before anything is stored
    with transaction.atomic():
        # Housekeeping across organizations: expired uploads of anyone, and the user's own.
        ImportStaging.objects.unscoped().filter(
            Q(created_at__lt=timezone.now() - STAGING_LIFETIME) | Q(created_by=actor)
        ).delete()
        staging = ImportStaging(organization=organization, created_by=actor, case=case)
        staging.sealed = seal(
            staging,
            "sealed",
            {
                "table": _table_content(table),
                "mapping": importer.guess_mapping(table.header),
                "answers": {},
            },
        )
        staging.save(force_insert=True)
        log_action(
            actor,
            Action.OUTREACH_IMPORT_STAGED,
            organization=organization,
            size=len(data),
            rows=len(table.rows),
        )
    return staging


def _table_content(table: importer.Table) -> dict[str, Any]:
    return {
        "header": table.header,
        "rows": table.rows,
        "encoding": table.encoding,
        "delimiter": table.delimiter,
    }


def staged(staging: ImportStaging) -> tuple[importer.Table, list[str], dict[str, str]]:
    """The staged rows as read at upload (no file is parsed here)."""
    content = unseal(staging, "sealed", staging.sealed)
    if "table" in content:
        kept = content["table"]
        table = importer.Table(
            header=kept["header"],
            rows=[(line, cells) for line, cells in kept["rows"]],
            encoding=kept["encoding"],
            delimiter=kept["delimiter"],
        )
    else:  # staged before rows were kept (at most STAGING_LIFETIME ago)
        table = importer.read_table(base64.b64decode(content["data"]))
    return table, content["mapping"], content["answers"]


def update_staging(*, staging: ImportStaging, mapping: list[str], answers: dict[str, str]) -> None:
    content = unseal(staging, "sealed", staging.sealed)
    if "table" not in content:  # an upload staged before rows were kept: keep them now
        content["table"] = _table_content(staged(staging)[0])
        del content["data"]
    content["mapping"], content["answers"] = mapping, answers
    staging.sealed = seal(staging, "sealed", content)
    staging.save(update_fields=["sealed"])


def confirm_import(*, actor: User | None, staging: ImportStaging) -> ImportSummary:
    table, mapping, answers = staged(staging)
    summary = import_requests(
        actor=actor,
        organization=staging.organization,
        table=table,
        mapping=mapping,
        answers=answers,
        case=staging.case,
    )
    if summary.ok:
        staging.delete()
    return summary


def discard_import(*, actor: User | None, staging: ImportStaging) -> None:
    log_action(actor, Action.OUTREACH_IMPORT_DISCARDED, organization=staging.organization)
    staging.delete()
