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
from tropa.crypto.fields import blind_index, seal, unseal

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


# What the user chose for an institution name: create it rather than take a directory entry.
NEW_INSTITUTION = "new"
FINGERPRINT_PURPOSE = "outreach.import-row"


@dataclass
class ImportSummary:
    rows: int = 0
    institutions_created: int = 0
    contacts_created: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    errors: list[importer.RowError] = field(default_factory=list)
    # Lines of the file whose rows an earlier import already brought in (left out).
    already: list[int] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class ImportChoices:
    """What the user confirmed in the preview, besides the columns.

    ``answers`` and ``channels`` map the file's values (``importer.answer_key``) to a status
    and a channel; ``institutions`` maps each institution name (``importer.institution_key``)
    to a directory institution's code or ``NEW_INSTITUTION`` (None: the name alone decides,
    as on the command line). ``follow_up``: the imported requests still waiting for an
    answer are due for follow-ups like new ones; by default imported history never is.
    """

    answers: dict[str, str]
    channels: dict[str, str] | None = None
    institutions: dict[str, str] | None = None
    follow_up: bool = False


def import_requests(
    *,
    actor: User | None,
    organization: Organization,
    table: importer.Table,
    mapping: list[str],
    answers: dict[str, str] | ImportChoices,
    case: Case | None = None,
    dry_run: bool = False,
) -> ImportSummary:
    """Import every new row of ``table`` or none of them, in one transaction.

    Rows are parsed first; a single bad row refuses the whole file and every bad row is
    reported with its line and column. A row an earlier import brought in (same keyed
    fingerprint) is left out and reported. Institutions are the ones the user confirmed.
    Imported rows are history: sent by the person the sheet names (kept as sealed text),
    never due for a follow-up unless ``follow_up`` says so, and an answer without a date
    has no "days to answer".
    """
    choices = answers if isinstance(answers, ImportChoices) else ImportChoices(answers)
    summary = ImportSummary()
    problems = importer.mapping_problems(mapping)
    if problems:
        summary.errors = [importer.RowError(0, p) for p in problems]
        return summary
    if case is not None and case.organization_id != organization.pk:
        raise OutreachError(_("This request mixes organizations."))
    today = timezone.localdate()
    parsed = importer.parse_rows(table, mapping, choices.answers, today, choices.channels)
    summary.errors = parsed.errors
    if parsed.errors:
        return summary
    with transaction.atomic():
        rows = _new_rows(organization, parsed.rows, summary)
        summary.rows = len(rows)
        institutions = _institutions_for(organization, [r for r, _fp in rows], summary, choices)
        contacts = _contacts_for(organization, [r for r, _fp in rows], institutions, summary)
        requests, changes = _build_imported(
            organization, case, rows, institutions, contacts, today, choices.follow_up
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
            already=len(summary.already),
            institutions_created=summary.institutions_created,
            follow_up=choices.follow_up,
            **{f"status_{k}": v for k, v in summary.statuses.items()},
        )
    return summary


def fingerprints(organization: Organization, contents: list[str]) -> list[str]:
    """Each row's keyed fingerprint: the organization's blind index of its cells
    (``importer.fingerprint_text``) and of how many identical rows came before it in the
    file (two equal letters on one day stay two). Nobody without the organization's key
    can tell from it what the row said, nor match it with another organization's."""
    seen: dict[str, int] = {}
    result = []
    for content in contents:
        n = seen[content] = seen.get(content, 0) + 1
        result.append(blind_index(organization.pk, FINGERPRINT_PURPOSE, f"{n}\x1e{content}"))
    return result


def already_imported(organization: Organization, prints: list[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(prints), 900):  # within SQLite's limit of bound parameters
        found.update(
            Request.objects.filter(
                organization=organization, import_fingerprint__in=prints[start : start + 900]
            )
            .order_by()  # no sort: the fingerprint index answers it alone
            .values_list("import_fingerprint", flat=True)
        )
    return found


def _new_rows(
    organization: Organization, rows: list[importer.Row], summary: ImportSummary
) -> list[tuple[importer.Row, str]]:
    prints = fingerprints(organization, [row.content for row in rows])
    known = already_imported(organization, prints)
    summary.already = [row.line for row, fp in zip(rows, prints, strict=True) if fp in known]
    return [(row, fp) for row, fp in zip(rows, prints, strict=True) if fp not in known]


def _institutions_for(
    organization: Organization,
    rows: list[importer.Row],
    summary: ImportSummary,
    choices: ImportChoices,
) -> dict[str, Institution]:
    """Institution per name key: the one the user chose, else the same name, else new."""
    by_name = {
        importer.institution_key(i.name): i
        for i in Institution.objects.filter(organization=organization)
    }
    chosen = choices.institutions or {}
    codes = {v for v in chosen.values() if v != NEW_INSTITUTION}
    by_code = {
        str(i.code): i
        for i in Institution.objects.filter(organization=organization, code__in=codes)
    }
    if codes - set(by_code):
        raise OutreachError(_("A chosen institution is no longer in the directory."))
    resolved: dict[str, Institution] = {}
    new: list[Institution] = []
    for row in rows:
        key = importer.institution_key(row.institution)
        if key in resolved:
            continue
        choice = chosen.get(key, "")
        if choice and choice != NEW_INSTITUTION:
            resolved[key] = by_code[choice]
        elif key in by_name and choice != NEW_INSTITUTION:
            resolved[key] = by_name[key]
        else:
            resolved[key] = Institution(
                organization=organization,
                name=row.institution,
                kind=row.kind,
                country=row.country,
                city=row.city,
                channels=[row.channel],
            )
            new.append(resolved[key])
    Institution.objects.bulk_create(new)
    summary.institutions_created = len(new)
    return resolved


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
        institution = institutions[importer.institution_key(row.institution)]
        key = (institution.pk, row.contact.casefold())
        if key not in known and key not in new:
            new[key] = Contact(organization=organization, institution=institution, name=row.contact)
    Contact.objects.bulk_create(new.values())
    summary.contacts_created = len(new)
    return {**known, **new}


def _build_imported(
    organization: Organization,
    case: Case | None,
    rows: list[tuple[importer.Row, str]],
    institutions: dict[str, Institution],
    contacts: dict[tuple[int, str], Contact],
    today: date,
    follow_up: bool,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Requests and status changes as column values, sealed, ready for ``insert_rows``.

    Building model instances and letting ``bulk_create`` prepare every field costs more
    than everything else in a 100,000-row import together, so rows are built as values in
    database form here.
    """
    built = _ImportedRows(organization, case, today, follow_up)
    for row, fingerprint in rows:
        institution = institutions[importer.institution_key(row.institution)]
        contact = contacts.get((institution.pk, row.contact.casefold()))
        built.add(row, fingerprint, institution, contact)
    return built.requests, built.changes


class _ImportedRows:
    """The column values of imported requests and their status changes, row by row.

    Imported rows are history: nobody in Tropa sent them (``sent_by`` stays empty, the
    sheet's sender is sealed with the letter) and nobody recorded their answers.
    """

    def __init__(
        self, organization: Organization, case: Case | None, today: date, follow_up: bool
    ) -> None:
        self.organization_id, self.today = organization.pk, today
        self.days = followup_days(organization)
        self.ops, self.native_uuid = connection.ops, connection.features.has_native_uuid_field
        self.now = self.ops.adapt_datetimefield_value(timezone.now())
        self.follow_up = follow_up
        self.case = self.key(case.pk) if case else None
        # One instance of each model stands in for every row when sealing: the associated
        # data is table, column and primary key, and the key is set per row.
        # A case's rows are sealed under its case key: the holders lead to it (fields._walk).
        self.request_holder = Request(
            organization_id=organization.pk, case_id=case.pk if case else None
        )
        self.change_holder = StatusChange(
            organization_id=organization.pk, request=self.request_holder
        )
        # Rows imported for a case may name its person: such letters are kept apart, masked.
        self.pattern = identity_pattern(case)
        self.requests: list[dict[str, Any]] = []
        self.changes: list[dict[str, Any]] = []
        # Plain strings: enum member lookups inside a 100,000-row loop are measurably slow.
        self.pending, self.no_answer = Status.PENDING.value, Status.NO_ANSWER.value
        self.answered_values = {s.value for s in ANSWERED}

    def key(self, value: uuid.UUID) -> Any:
        return value if self.native_uuid else value.hex

    def _followup(self, status: str) -> tuple[Any, Any]:
        """(followup_created_at, followup_done_at) of an imported request.

        Without ``follow_up`` both are set: the hourly rule never claims the request and the
        follow-up list never shows it. With it, old silence arrives claimed (listed as due,
        but no flood of case tasks) and a request still in its period is left to the rule.
        """
        if not self.follow_up:
            return self.now, self.now
        return (self.now if status == self.no_answer else None), None

    def add(
        self, row: importer.Row, fingerprint: str, institution: Institution, contact: Contact | None
    ) -> None:
        date_value, holder = self.ops.adapt_datefield_value, self.request_holder
        due = row.sent_on + timedelta(days=self.days[institution.kind])
        status, status_on = row.status, row.answer_on or row.sent_on
        if status == self.pending and due < self.today:
            status, status_on = self.no_answer, self.today
        # An answer without its date is an answer of unknown delay: no "days to answer".
        answered = status in self.answered_values and row.answer_on is not None
        pk = holder.pk = uuid.uuid4()
        seal_letter(holder, row.subject or row.institution, row.notes, self.pattern, row.sender)
        created, done = self._followup(status)
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
                "sent_by": None,
                # The spreadsheet's own words stay with the request: subject, notes, sender.
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
                "followup_created_at": created,
                "followup_done_at": done,
                "imported": True,
                "import_fingerprint": fingerprint,
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
                    "by": None,
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


def staged(staging: ImportStaging) -> tuple[importer.Table, list[str], ImportChoices]:
    """The staged rows as read at upload (no file is parsed here), and the user's choices
    so far (only what they confirmed: guesses are never kept as choices)."""
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
    choices = ImportChoices(
        answers=content["answers"],
        channels=content.get("channels", {}),
        institutions=content.get("institutions", {}),
        follow_up=content.get("follow_up", False),
    )
    return table, content["mapping"], choices


def update_staging(*, staging: ImportStaging, mapping: list[str], choices: ImportChoices) -> None:
    content = unseal(staging, "sealed", staging.sealed)
    if "table" not in content:  # an upload staged before rows were kept: keep them now
        content["table"] = _table_content(staged(staging)[0])
        del content["data"]
    content.update(
        mapping=mapping,
        answers=choices.answers,
        channels=choices.channels or {},
        institutions=choices.institutions or {},
        follow_up=choices.follow_up,
    )
    staging.sealed = seal(staging, "sealed", content)
    staging.save(update_fields=["sealed"])


def confirm_import(*, actor: User | None, staging: ImportStaging) -> ImportSummary:
    """Import what the user confirmed; every institution name must have a choice."""
    table, mapping, choices = staged(staging)
    missing = [
        named.name
        for named in importer.distinct_institutions(table, mapping)
        if named.key not in (choices.institutions or {})
    ]
    if missing:
        return ImportSummary(
            errors=[
                importer.RowError(
                    0,
                    _("Choose the institution for “%(name)s”.") % {"name": name[:80]},
                )
                for name in missing
            ]
        )
    try:
        summary = import_requests(
            actor=actor,
            organization=staging.organization,
            table=table,
            mapping=mapping,
            answers=choices,
            case=staging.case,
        )
    except OutreachError as refused:  # rolled back whole: e.g. a chosen institution is gone
        return ImportSummary(errors=[importer.RowError(0, str(refused))])
    if summary.ok:
        staging.delete()
    return summary


def discard_import(*, actor: User | None, staging: ImportStaging) -> None:
    log_action(actor, Action.OUTREACH_IMPORT_DISCARDED, organization=staging.organization)
    staging.delete()


def propose_institutions(
    organization: Organization, names: list[importer.NamedInstitution]
) -> tuple[dict[str, str], list[tuple[str, str]]]:
    """For each name of the file, the directory institution it most likely is ('' for
    none), and the directory as (code, label) choices. Proposals only: the preview shows
    them and the user confirms each."""
    from ..matching import Directory, Known  # the name engine loads when used

    known = [
        Known(str(code), name, kind, country, city)
        for code, name, kind, country, city in Institution.objects.filter(
            organization=organization
        ).values_list("code", "name", "kind", "country", "city")
    ]
    directory = Directory.of(known)
    proposals = {}
    for named in names:
        match = directory.propose(named.name, city=named.city, country=named.country)
        proposals[named.key] = match.code if match else ""
    choices = [(k.code, f"{k.name} · {k.city}" if k.city else k.name) for k in known]
    return proposals, choices


def lines_already_imported(organization: Organization, parsed: importer.Parsed) -> list[int]:
    """The lines of the file that an earlier import brought in (for the preview)."""
    prints = fingerprints(organization, [content for _line, content in parsed.contents])
    known = already_imported(organization, prints)
    return [line for (line, _c), fp in zip(parsed.contents, prints, strict=True) if fp in known]
