"""Every write of the outreach tracker, each audited.

Views, commands and tasks call these functions; nothing else saves outreach models. Audit
entries carry codes, counts and statuses, never letter text, reasons or names. Cases are
changed only through ``tropa.cases.services`` (the follow-up task).
"""

from __future__ import annotations

import base64
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import filetype
from django.db import connection, transaction
from django.db.models import F, Field, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from tropa.accounts.models import Organization
from tropa.accounts.permissions import Cap, can
from tropa.audit.actions import Action
from tropa.audit.services import log_action
from tropa.cases import services as cases
from tropa.cases.models import Case, Identity, Person
from tropa.core.access import forbid
from tropa.core.errors import ServiceError
from tropa.crypto.fields import seal, unseal

from . import identity, importer, starter
from .models import (
    ANSWERED,
    DEFAULT_FOLLOWUP_DAYS,
    Attachment,
    Channel,
    Contact,
    FollowupPolicy,
    ImportStaging,
    Institution,
    Kind,
    LetterTemplate,
    Request,
    StatsVersion,
    Status,
    StatusChange,
)

MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024
STAGING_LIFETIME = timedelta(hours=6)
INSTITUTION_FIELDS = (
    "name",
    "kind",
    "country",
    "city",
    "languages",
    "channels",
    "email",
    "website",
    "phone",
    "address",
    "notes",
)


class OutreachError(ServiceError):
    """A request that cannot be carried out; the message is shown to the user."""


def _statistics_changed(organization_id: int) -> None:
    """Invalidate cached statistics of the organization (inside the write's transaction)."""
    updated = StatsVersion.objects.filter(organization_id=organization_id).update(
        version=F("version") + 1
    )
    if not updated:
        StatsVersion.objects.get_or_create(organization_id=organization_id)


# Directory -----------------------------------------------------------------------------------


def _clean_institution(fields: dict[str, Any]) -> dict[str, Any]:
    unknown = set(fields) - set(INSTITUTION_FIELDS)
    if unknown:
        raise TypeError(f"unknown institution fields: {sorted(unknown)}")
    clean = dict(fields)
    if "name" in clean:
        clean["name"] = str(clean["name"]).strip()
        if not clean["name"]:
            raise OutreachError(_("An institution needs a name."))
    if "country" in clean:
        clean["country"] = str(clean["country"]).strip().upper()[:2]
    if clean.get("kind", Kind.OTHER) not in Kind.values:
        raise OutreachError(_("Unknown institution type."))
    if any(c not in Channel.values for c in clean.get("channels", [])):
        raise OutreachError(_("Unknown channel."))
    return clean


def create_institution(*, actor: Any, organization: Organization, **fields: Any) -> Institution:
    clean = _clean_institution(fields)
    with transaction.atomic():
        institution = Institution.objects.create(organization=organization, **clean)
        log_action(actor, Action.OUTREACH_INSTITUTION_CREATED, institution, kind=institution.kind)
    return institution


def update_institution(*, actor: Any, institution: Institution, **fields: Any) -> list[str]:
    clean = _clean_institution(fields)
    changed = [k for k, v in clean.items() if getattr(institution, k) != v]
    if not changed:
        return []
    with transaction.atomic():
        for name in changed:
            setattr(institution, name, clean[name])
        institution.save(update_fields=changed)
        if {"name", "kind", "country"} & set(changed):
            _statistics_changed(institution.organization_id)
        log_action(actor, Action.OUTREACH_INSTITUTION_UPDATED, institution, fields=sorted(changed))
    return changed


def add_contact(
    *,
    actor: Any,
    institution: Institution,
    name: str,
    position: str = "",
    email: str = "",
    phone: str = "",
) -> Contact:
    if not name.strip():
        raise OutreachError(_("A contact person needs a name."))
    with transaction.atomic():
        contact = Contact.objects.create(
            organization_id=institution.organization_id,
            institution=institution,
            name=name.strip(),
            position=position.strip(),
            email=email.strip(),
            phone=phone.strip(),
        )
        log_action(actor, Action.OUTREACH_CONTACT_ADDED, institution, contact=str(contact.code))
    return contact


def remove_contact(*, actor: Any, contact: Contact) -> None:
    with transaction.atomic():
        log_action(
            actor, Action.OUTREACH_CONTACT_REMOVED, contact.institution, contact=str(contact.code)
        )
        contact.delete()


def load_starter_set(*, actor: Any, organization: Organization) -> tuple[int, int]:
    """Add the starter directory and letter templates; what already exists is left alone.

    Returns how many institutions and templates were created.
    """
    with transaction.atomic():
        existing = {
            name.casefold()
            for name in Institution.objects.filter(organization=organization).values_list(
                "name", flat=True
            )
        }
        institutions = [
            Institution(organization=organization, **entry)
            for entry in starter.DIRECTORY
            if str(entry["name"]).casefold() not in existing
        ]
        Institution.objects.bulk_create(institutions)
        have = set(
            LetterTemplate.objects.filter(organization=organization).values_list("name", "language")
        )
        templates = [
            LetterTemplate(organization=organization, **entry)
            for entry in starter.TEMPLATES
            if (entry["name"], entry["language"]) not in have
        ]
        LetterTemplate.objects.bulk_create(templates)
        log_action(
            actor,
            Action.OUTREACH_STARTER_LOADED,
            organization=organization,
            institutions=len(institutions),
            templates=len(templates),
        )
    return len(institutions), len(templates)


# Follow-up periods ---------------------------------------------------------------------------


def followup_days(organization: Organization) -> dict[str, int]:
    """Days until "no answer", per institution type (default 14)."""
    days = {kind: DEFAULT_FOLLOWUP_DAYS for kind in Kind.values}
    days.update(
        FollowupPolicy.objects.filter(organization=organization).values_list("kind", "days")
    )
    return days


def set_followup_days(*, actor: Any, organization: Organization, days: dict[str, int]) -> None:
    if any(kind not in Kind.values for kind in days) or any(
        not 1 <= n <= 365 for n in days.values()
    ):
        raise OutreachError(_("A follow-up period is between 1 and 365 days."))
    with transaction.atomic():
        for kind, n in days.items():
            FollowupPolicy.objects.update_or_create(
                organization=organization, kind=kind, defaults={"days": n}
            )
        log_action(actor, Action.OUTREACH_FOLLOWUP_DAYS_SET, organization=organization, days=days)


# Requests ------------------------------------------------------------------------------------


def record_request(
    *,
    actor: Any,
    organization: Organization,
    institution: Institution,
    channel: str,
    sent_on: date,
    subject: str,
    body: str = "",
    contact: Contact | None = None,
    case: Case | None = None,
    group: str = "",
    language: str = "",
    attachment: bytes | None = None,
) -> Request:
    """Record one attempt to reach ``institution``; its answer is expected within the period.

    A file sent with it (``attachment``) is kept in the same transaction: if keeping it
    fails, no request is left behind either.
    """
    if institution.organization_id != organization.pk or (
        case is not None and case.organization_id != organization.pk
    ):
        raise OutreachError(_("This request mixes organizations."))
    if contact is not None and contact.institution_id != institution.pk:
        raise OutreachError(_("The contact person does not belong to this institution."))
    if channel not in Channel.values:
        raise OutreachError(_("Unknown channel."))
    if sent_on > timezone.localdate():
        raise OutreachError(_("A request cannot be sent in the future."))
    if not subject.strip():
        raise OutreachError(_("A request needs a subject."))
    days = followup_days(organization)[institution.kind]
    with transaction.atomic():
        request = Request(
            organization=organization,
            institution=institution,
            contact=contact,
            case=case,
            group=group.strip(),
            channel=channel,
            language=language,
            sent_on=sent_on,
            sent_by=actor if getattr(actor, "is_authenticated", False) else None,
            status=Status.PENDING,
            status_on=sent_on,
            answer_due_on=sent_on + timedelta(days=days),
        )
        _seal_letter(request, subject.strip(), body.strip(), _identity_pattern(case))
        request.save(force_insert=True)
        _statistics_changed(organization.pk)
        log_action(
            actor,
            Action.OUTREACH_REQUEST_SENT,
            request,
            organization=organization,
            institution=str(institution.code),
            case=str(case.code) if case else "",
            channel=channel,
        )
        if attachment is not None:
            add_attachment(actor=actor, request=request, data=attachment)
    return request


def _identity_pattern(case: Case | None) -> re.Pattern[str] | None:
    """What the case's identity looks like in a text; opened in memory to be compared,
    never shown (so not a reveal), and never stored."""
    if case is None:
        return None
    row = Identity.objects.filter(person_id=case.person_id).first()
    return identity.pattern_of(unseal(row, "sealed", row.sealed)) if row else None


def _seal_letter(
    request: Request, subject: str, body: str, pattern: re.Pattern[str] | None
) -> None:
    """Seal the letter; one that names the person is kept apart, readers get it masked."""
    masked, names_person = identity.mask_letter(subject, body, pattern)
    letter = {"subject": subject, "body": body}
    request.sealed = seal(request, "sealed", masked if names_person else letter)
    request.identity_sealed = seal(request, "identity_sealed", letter) if names_person else None


def read_letter(*, actor: Any, request: Request) -> dict[str, Any]:
    """The subject and text of a request as any reader of it may see them: with the
    identity masked (``identity`` says whether it was). An audited read for a case."""
    letter: dict[str, str] = unseal(request, "sealed", request.sealed) or {}
    case = request.case
    if case is not None:
        log_action(actor, Action.OUTREACH_LETTER_READ, request, case=str(case.code))
    return {
        "subject": letter.get("subject", ""),
        "body": letter.get("body", ""),
        "identity": request.names_person,
    }


def reveal_letter(*, actor: Any, request: Request) -> dict[str, Any]:
    """The letter as written, identity included: only for a user who may see identities,
    and logged as the case desk logs every reveal (``identity.revealed`` on the person)."""
    if not request.names_person:
        return read_letter(actor=actor, request=request)
    assert request.case is not None  # only a case's letter can name its person
    if not can(actor, Cap.VIEW_IDENTITY):
        forbid(actor, Cap.VIEW_IDENTITY, request)
    # Counted towards the hourly cap like every reveal; past it, RevealLimitReached.
    cases.record_reveals(
        actor=actor,
        people=[request.case.person],
        purpose="outreach_letter",
        request=str(request.code),
    )
    letter: dict[str, str] = unseal(request, "identity_sealed", request.identity_sealed)
    return {"subject": letter["subject"], "body": letter["body"], "identity": True}


def log_export_reveals(*, actor: Any, requests: Any) -> int:
    """Before an export that carries identities: one ``identity.revealed`` per person named
    in it (``purpose=outreach_export``). Returns how many people that is."""
    people = list(
        Person.objects.filter(
            pk__in=requests.filter(identity_sealed__isnull=False).values("case__person")
        ).order_by("pk")
    )
    # All or none, within the hourly cap; past it, RevealLimitReached and no export.
    cases.record_reveals(actor=actor, people=people, purpose="outreach_export")
    return len(people)


def subjects_of(requests: list[Request]) -> dict[Any, str]:
    """Subjects for a page of a list, as every reader may see them (identity masked)."""
    return {r.pk: (unseal(r, "sealed", r.sealed) or {}).get("subject", "") for r in requests}


def record_answer(
    *,
    actor: Any,
    request: Request,
    status: str,
    on: date,
    referred_to: str = "",
    note: str = "",
) -> StatusChange:
    """A change of status with its date; the first answer of any kind fixes the answer time."""
    if status not in Status.values or status == Status.PENDING:
        raise OutreachError(_("Choose what the answer was."))
    if on < request.sent_on:
        raise OutreachError(_("An answer cannot come before the request was sent."))
    if on > timezone.localdate():
        raise OutreachError(_("This date is in the future."))
    if status == Status.REFERRED and not referred_to.strip():
        raise OutreachError(_("Say where the request was referred to."))
    with transaction.atomic():
        change = StatusChange(
            organization_id=request.organization_id,
            request=request,
            status=status,
            on=on,
            referred_to=referred_to.strip() if status == Status.REFERRED else "",
            by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        change.sealed = seal(change, "sealed", note.strip()) if note.strip() else None
        change.save(force_insert=True)
        fields = ["status", "status_on", "referred_to"]
        request.status, request.status_on = status, on
        request.referred_to = change.referred_to or request.referred_to
        if status in ANSWERED and (request.first_answer_on is None or on < request.first_answer_on):
            request.first_answer_on = on
            request.days_to_answer = (on - request.sent_on).days
            fields += ["first_answer_on", "days_to_answer"]
        if status in ANSWERED and request.followup_done_at is None:
            # An answer settles any follow-up that was due.
            request.followup_done_at = timezone.now()
            fields.append("followup_done_at")
        request.save(update_fields=fields)
        _statistics_changed(request.organization_id)
        log_action(actor, Action.OUTREACH_ANSWER_RECORDED, request, status=status)
    return change


def note_of(change: StatusChange) -> str:
    return str(unseal(change, "sealed", change.sealed) or "")


def mark_followed_up(*, actor: Any, request: Request) -> None:
    with transaction.atomic():
        updated = Request.objects.filter(
            organization_id=request.organization_id, pk=request.pk, followup_done_at__isnull=True
        ).update(followup_done_at=timezone.now())
        if updated:
            log_action(actor, Action.OUTREACH_FOLLOWUP_DONE, request)


# Attachments ---------------------------------------------------------------------------------


def add_attachment(*, actor: Any, request: Request, data: bytes) -> Attachment:
    """Keep a file with its request, sealed in the database.

    Attachments are letters and scans of a few pages: a size limit keeps them in the
    database, where they are sealed like the letter itself and deleted with the request,
    instead of in a second store with its own crash-safety and deletion rules.
    """
    if not data:
        raise OutreachError(_("The file is empty."))
    if len(data) > MAX_ATTACHMENT_BYTES:
        raise OutreachError(_("A file kept with a request may be at most 5 MB."))
    kind = filetype.guess(data)
    with transaction.atomic():
        attachment = Attachment(
            organization_id=request.organization_id,
            request=request,
            extension=kind.extension if kind else "bin",
            size=len(data),
            added_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        attachment.sealed = seal(attachment, "sealed", base64.b64encode(data).decode("ascii"))
        attachment.save(force_insert=True)
        log_action(
            actor,
            Action.OUTREACH_ATTACHMENT_ADDED,
            request,
            attachment=str(attachment.code),
            size=len(data),
        )
    return attachment


def read_attachment(*, actor: Any, attachment: Attachment) -> bytes:
    log_action(
        actor,
        Action.OUTREACH_ATTACHMENT_DOWNLOADED,
        attachment.request,
        attachment=str(attachment.code),
    )
    return base64.b64decode(unseal(attachment, "sealed", attachment.sealed))


# Letter templates ----------------------------------------------------------------------------


def save_template(
    *,
    actor: Any,
    organization: Organization,
    name: str,
    language: str,
    subject: str,
    body: str,
    template: LetterTemplate | None = None,
) -> LetterTemplate:
    duplicate = LetterTemplate.objects.filter(
        organization=organization, name=name.strip(), language=language
    )
    if template is not None:
        duplicate = duplicate.exclude(pk=template.pk)
    if duplicate.exists():
        raise OutreachError(_("A template with this name and language already exists."))
    with transaction.atomic():
        if template is None:
            template = LetterTemplate(organization=organization)
        template.name, template.language = name.strip(), language
        template.subject, template.body = subject.strip(), body.strip()
        template.save()
        log_action(actor, Action.OUTREACH_TEMPLATE_SAVED, template, language=language)
    return template


# Follow-ups ----------------------------------------------------------------------------------


def run_followups(*, organization: Organization | None = None, today: date | None = None) -> int:
    """Turn requests past their answer date into "no answer" and create follow-up tasks.

    1. Find pending requests whose answer date has passed (an indexed query).
    2. Claim each with a conditional UPDATE: only the process whose UPDATE changed the row
       goes on, so two workers, a command and a page load never create two tasks.
    3. Record the status change and, for a request about a case, add a task for its owner
       to the case through the case desk's service.
    Returns how many requests were claimed.
    """
    today = today or timezone.localdate()
    # System work: every organization unless one is given.
    due = Request.objects.unscoped().filter(
        status=Status.PENDING, answer_due_on__lt=today, followup_created_at__isnull=True
    )
    if organization is not None:
        due = due.filter(organization=organization)
    claimed = 0
    for request in due.select_related("institution", "case", "sent_by").iterator():
        with transaction.atomic():
            won = Request.objects.filter(
                organization_id=request.organization_id,
                pk=request.pk,
                status=Status.PENDING,
                followup_created_at__isnull=True,
            ).update(status=Status.NO_ANSWER, status_on=today, followup_created_at=timezone.now())
            if won != 1:
                continue  # another process got there first
            StatusChange.objects.create(
                organization_id=request.organization_id,
                request=request,
                status=Status.NO_ANSWER,
                on=today,
                by=None,
            )
            if request.case is not None:
                cases.add_task(
                    actor=None,
                    case=request.case,
                    title=_("Follow up: no answer from %(institution)s")
                    % {"institution": request.institution.name},
                    due_on=today,
                    assignee=request.sent_by,
                )
            _statistics_changed(request.organization_id)
            log_action(
                None,
                Action.OUTREACH_FOLLOWUP_DUE,
                request,
                organization=request.organization,
                status=Status.NO_ANSWER,
            )
            claimed += 1
    return claimed


# Import --------------------------------------------------------------------------------------


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
    actor: Any,
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
        _insert(Request, requests)
        _insert(StatusChange, changes)
        _statistics_changed(organization.pk)
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
    actor: Any,
    organization: Organization,
    case: Case | None,
    rows: list[importer.Row],
    institutions: dict[str, Institution],
    contacts: dict[tuple[int, str], Contact],
    today: date,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Requests and status changes as column values, sealed, ready for ``_insert``.

    Building model instances and letting ``bulk_create`` prepare every field costs more
    than everything else in a 100,000-row import together, so rows are built as values in
    database form here.
    """
    days = followup_days(organization)
    ops, native_uuid = connection.ops, connection.features.has_native_uuid_field

    def key(value: uuid.UUID) -> Any:
        return value if native_uuid else value.hex

    now = ops.adapt_datetimefield_value(timezone.now())
    owner = actor.pk if getattr(actor, "is_authenticated", False) else None
    # One instance of each model stands in for every row when sealing: the associated data
    # is table, column and primary key, and the key is set per row.
    request_holder = Request(organization_id=organization.pk)
    change_holder = StatusChange(organization_id=organization.pk)
    # Rows imported for a case may name its person: such letters are kept apart, masked.
    pattern = _identity_pattern(case)
    requests: list[dict[str, Any]] = []
    changes: list[dict[str, Any]] = []
    # Plain strings: enum member lookups inside a 100,000-row loop are measurably slow.
    pending, no_answer = Status.PENDING.value, Status.NO_ANSWER.value
    answered_values = {s.value for s in ANSWERED}
    for row in rows:
        institution = institutions[row.institution.casefold()]
        contact = contacts.get((institution.pk, row.contact.casefold()))
        due = row.sent_on + timedelta(days=days[institution.kind])
        status, status_on = row.status, row.answer_on or row.sent_on
        if status == pending and due < today:
            status, status_on = no_answer, today
        answered = status in answered_values and row.answer_on is not None
        pk = request_holder.pk = uuid.uuid4()
        _seal_letter(request_holder, row.subject or row.institution, row.notes, pattern)
        requests.append(
            {
                "id": key(pk),
                "code": key(uuid.uuid4()),
                "organization": organization.pk,
                "institution": institution.pk,
                "contact": contact.pk if contact else None,
                "case": key(case.pk) if case else None,
                "group": "",
                "channel": row.channel,
                "language": "",
                "sent_on": ops.adapt_datefield_value(row.sent_on),
                "sent_by": owner,
                # The spreadsheet's own words stay with the request: subject and notes.
                "sealed": request_holder.sealed,
                "identity_sealed": request_holder.identity_sealed,
                "status": status,
                "status_on": ops.adapt_datefield_value(status_on),
                "answer_due_on": ops.adapt_datefield_value(due),
                "first_answer_on": ops.adapt_datefield_value(row.answer_on) if answered else None,
                "days_to_answer": (row.answer_on - row.sent_on).days  # type: ignore[operator]
                if answered
                else None,
                "referred_to": "",
                # Old silence arrives already claimed: listed as due, but no flood of tasks.
                "followup_created_at": now if status == no_answer else None,
                "followup_done_at": None,
                "created_at": now,
            }
        )
        if status != pending:
            change_pk = change_holder.pk = uuid.uuid4()
            changes.append(
                {
                    "id": key(change_pk),
                    "organization": organization.pk,
                    "request": key(pk),
                    "status": status,
                    "on": ops.adapt_datefield_value(status_on),
                    "referred_to": "",
                    "sealed": seal(change_holder, "sealed", row.answer) if row.answer else None,
                    "by": owner,
                    "at": now,
                }
            )
    return requests, changes


@contextmanager
def _large_page_cache(cursor: Any) -> Iterator[None]:
    """A page cache large enough for the indexes of a big import, on SQLite.

    Random UUID keys land all over their B-trees; with SQLite's default 2 MB cache every
    insert then reads and writes pages from disk, and an import of 100,000 rows spends most
    of its time waiting for it.
    """
    cursor.execute("PRAGMA cache_size")
    (previous,) = cursor.fetchone()
    cursor.execute("PRAGMA cache_size = -262144")  # 256 MB, in KiB
    try:
        yield
    finally:
        cursor.execute(f"PRAGMA cache_size = {int(previous)}")


def _column(model: type[Request] | type[StatusChange], name: str) -> str:
    field = model._meta.get_field(name)
    assert isinstance(field, Field) and field.column
    return field.column


def _insert(model: type[Request] | type[StatusChange], rows: list[dict[str, Any]]) -> None:
    """Insert rows whose values are already in database form: COPY on PostgreSQL, batched
    multi-row INSERTs on SQLite."""
    if not rows:
        return
    names = list(rows[0])
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = ", ".join(quote(_column(model, name)) for name in names)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(tuple(row[n] for n in names))
            return
        placeholders = ", ".join(["%s"] * len(names))
        # Table and column names come from the model, values travel as parameters.
        sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"  # noqa: S608
        with _large_page_cache(cursor):
            for start in range(0, len(rows), 5000):
                batch = rows[start : start + 5000]
                cursor.executemany(sql, [tuple(r[n] for n in names) for r in batch])


def stage_import(
    *, actor: Any, organization: Organization, data: bytes, case: Case | None = None
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


def confirm_import(*, actor: Any, staging: ImportStaging) -> ImportSummary:
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


def discard_import(*, actor: Any, staging: ImportStaging) -> None:
    log_action(actor, Action.OUTREACH_IMPORT_DISCARDED, organization=staging.organization)
    staging.delete()


def export_logged(
    *, actor: Any, organization: Organization, what: str, fmt: str, **detail: Any
) -> None:
    log_action(
        actor, Action.OUTREACH_EXPORTED, organization=organization, what=what, format=fmt, **detail
    )
