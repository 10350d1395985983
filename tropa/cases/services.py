"""Every write to people and cases, and every read of sealed data, each audited.

Views call these functions; nothing else saves case models. Audit entries record which
fields changed, never their values.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tropa.accounts.models import Organization, User
from tropa.accounts.permissions import Cap, can
from tropa.audit.actions import Action
from tropa.audit.models import AuditEntry
from tropa.audit.services import log_action
from tropa.core.errors import ServiceError
from tropa.crypto.fields import blind_index, seal, unseal

from .models import (
    RISK_ORDER,
    Alert,
    AlertAction,
    Case,
    ChecklistItem,
    ClosedReason,
    Deployment,
    DocumentIndex,
    FamilyMember,
    Identity,
    Need,
    Note,
    Person,
    Risk,
    ServiceRecord,
    Stage,
    StageChange,
    Support,
    Task,
)

IDENTITY_FIELDS = (
    "surname",
    "given_name",
    "patronymic",
    "surname_latin",
    "given_name_latin",
    "other_spellings",
    "birth_date",
    "birthplace",
    "documents",
    "phone",
    "messengers",
)
CASE_FIELDS = ("risk", "assignee", "country", "city", "arrived_on", "next_action", "next_action_on")


class CaseError(ServiceError):
    """A request that cannot be carried out; the message is shown to the user."""


def _now() -> Any:
    return timezone.now()


def search_text_of(*parts: str) -> str:
    return " ".join(part for part in parts if part).casefold()


def _refresh_search_text(case: Case) -> None:
    record = ServiceRecord.objects.filter(person_id=case.person_id).first()
    case.search_text = search_text_of(
        case.person.pseudonym, case.city, record.unit if record else ""
    )
    # What a user who may not see the service record can search: no unit.
    case.logistics_search_text = search_text_of(case.person.pseudonym, case.city)


# Cases -------------------------------------------------------------------------------------


def create_case(
    *, actor: User | None, organization: Organization, pseudonym: str, **fields: Any
) -> Case:
    unknown = set(fields) - set(CASE_FIELDS)
    if unknown:
        raise TypeError(f"unknown case fields: {sorted(unknown)}")
    with transaction.atomic():
        person = Person.objects.create(organization=organization, pseudonym=pseudonym.strip())
        case = Case(organization=organization, person=person, **fields)
        case.risk_rank = RISK_ORDER[Risk(case.risk)]
        _refresh_search_text(case)
        case.save(force_insert=True)
        StageChange.objects.create(case=case, to_stage=case.stage, at=_now(), by=actor)
        log_action(actor, Action.CASE_CREATED, case, stage=case.stage)
    return case


def update_case(
    *, actor: User | None, case: Case, pseudonym: str | None = None, **fields: Any
) -> list[str]:
    """Change case fields; returns the names of those that changed."""
    changed = []
    with transaction.atomic():
        if pseudonym is not None and pseudonym.strip() != case.person.pseudonym:
            case.person.pseudonym = pseudonym.strip()
            case.person.save(update_fields=["pseudonym"])
            changed.append("pseudonym")
        for name, value in fields.items():
            if name not in CASE_FIELDS:
                raise TypeError(f"unknown case field: {name}")
            if getattr(case, name) != value:
                setattr(case, name, value)
                changed.append(name)
        # Only the changed columns are written: the instance may be older than a change
        # made meanwhile through another service (a unit saved on the service record).
        columns = [name for name in changed if name != "pseudonym"]
        if "risk" in changed:
            case.risk_rank = RISK_ORDER[Risk(case.risk)]
            columns.append("risk_rank")
        if {"pseudonym", "city"} & set(changed):
            _refresh_search_text(case)
            columns += ["search_text", "logistics_search_text"]
        if changed:
            case.save(update_fields=[*columns, "updated_at"])
            log_action(actor, Action.CASE_UPDATED, case, fields=sorted(changed))
    return changed


def move_stage(*, actor: User | None, case: Case, to_stage: str, reason: str = "") -> None:
    if to_stage not in Stage.values:
        raise CaseError(_("Unknown stage."))
    if to_stage == case.stage:
        raise CaseError(_("The case is already in this stage."))
    if to_stage == Stage.CLOSED and reason not in ClosedReason.values:
        raise CaseError(_("Choose why the case is closed."))
    if to_stage != Stage.CLOSED:
        reason = ""
    with transaction.atomic():
        StageChange.objects.create(
            case=case, from_stage=case.stage, to_stage=to_stage, reason=reason, at=_now(), by=actor
        )
        log_action(
            actor,
            Action.CASE_STAGE_CHANGED,
            case,
            from_stage=case.stage,
            to_stage=to_stage,
            reason=reason,
        )
        case.stage, case.closed_reason = to_stage, reason
        case.save(update_fields=["stage", "closed_reason", "updated_at"])


def log_case_viewed(*, actor: User | None, case: Case, sections: list[str]) -> None:
    """A read of a case page, with the sealed sections that were decrypted for it."""
    log_action(actor, Action.CASE_VIEWED, case, sections=sections)


@dataclass(frozen=True)
class CaseSheet:
    """What the case page shows of a case's sealed and related rows, decrypted for one user.

    Free text a volunteer may not read (notes, alert and support details, which may carry
    names or addresses) is left empty; needs' text is logistics and shown to everyone who
    sees the case. Family names are identity: they are shown only on the audited reveal.
    """

    record: ServiceRecord | None
    has_identity: bool
    notes: list[tuple[Note, str]]
    needs: list[tuple[Need, str]]
    support: list[tuple[Support, str]]
    alerts: list[tuple[Alert, str, dict[str, AlertAction]]]
    family: list[FamilyMember]


def read_case_sheet(*, actor: User, case: Case) -> CaseSheet:
    """Everything the case page decrypts, in one place and a fixed number of queries; the
    read is logged (``case.viewed``, with the sealed sections it opened)."""
    details = can(actor, Cap.VIEW_NOTES)
    sections = ["case", "notes"] if details else ["case"]
    record = None
    if can(actor, Cap.VIEW_SERVICE_RECORD):
        record = (
            ServiceRecord.objects.filter(person_id=case.person_id)
            .prefetch_related("deployments")
            .first()
        )
    alerts = case.alerts.select_related("raised_by", "resolved_by").prefetch_related(
        "actions__done_by"
    )
    sheet = CaseSheet(
        record=record,
        has_identity=can(actor, Cap.VIEW_IDENTITY) and has_identity(case.person),
        notes=read_notes(case) if details else [],
        needs=[(n, unseal_text(n)) for n in case.needs.all()],
        support=[
            (s, unseal_text(s) if details else "")
            for s in case.support.select_related("recorded_by")
        ],
        alerts=[
            (a, unseal_text(a) if details else "", {x.item: x for x in a.actions.all()})
            for a in alerts
        ],
        family=list(case.family.all()),
    )
    log_case_viewed(actor=actor, case=case, sections=sections)
    return sheet


# Identity ----------------------------------------------------------------------------------


def _normalize_document(number: str) -> str:
    return re.sub(r"[\s\-./№#]", "", number).upper()


def save_identity(*, actor: User | None, person: Person, data: dict[str, Any]) -> Identity:
    unknown = set(data) - set(IDENTITY_FIELDS)
    if unknown:
        raise TypeError(f"unknown identity fields: {sorted(unknown)}")
    clean: dict[str, Any] = {
        k: data.get(k) for k in IDENTITY_FIELDS if data.get(k) not in (None, "", [])
    }
    if isinstance(clean.get("birth_date"), date):
        clean["birth_date"] = clean["birth_date"].isoformat()
    with transaction.atomic():
        identity = Identity.objects.filter(person=person).first()
        created = identity is None
        if identity is None:
            identity = Identity(person=person, organization_id=person.organization_id)
        identity.sealed = seal(identity, "sealed", clean)
        identity.save()
        identity.doc_index.all().delete()
        DocumentIndex.objects.bulk_create(
            [
                DocumentIndex(
                    organization_id=person.organization_id,
                    identity=identity,
                    digest=blind_index(
                        person.organization_id, "document", _normalize_document(doc["number"])
                    ),
                )
                for doc in clean.get("documents", [])
                if doc.get("number")
            ]
        )
        log_action(
            actor,
            Action.IDENTITY_CREATED if created else Action.IDENTITY_UPDATED,
            person,
            fields=sorted(clean),
        )
    return identity


def has_identity(person: Person) -> bool:
    return Identity.objects.filter(person=person).exists()


# Reveals that put an identity in front of a person; they count towards the hourly cap:
# the case page, its edit form, a letter composed with it, the names on a screening hit or a
# duplicate pair, a letter as written, and each person named in an export with identities.
# "screening" and "duplicates" compare names in memory and show none of them.
CAPPED_PURPOSES = (
    "view",
    "edit",
    "letter",
    "screening_hit",
    "duplicate_view",
    "outreach_letter",
    "outreach_export",
)
REVEAL_REFUSED = Action.IDENTITY_REVEAL_REFUSED


class RevealLimitReached(CaseError):
    """The user made ``TROPA_REVEAL_LIMIT_PER_HOUR`` reveals in the last hour."""


def reveals_in_last_hour(actor: User) -> int:
    since = _now() - timedelta(hours=1)
    return AuditEntry.objects.filter(
        action=Action.IDENTITY_REVEALED,
        actor_code=str(actor.code),
        at__gt=since,
        detail__purpose__in=CAPPED_PURPOSES,
    ).count()


def _over_reveal_limit(actor: User | None, purpose: str, count: int) -> bool:
    """True if ``count`` more reveals would pass the hourly cap. Call inside the reveals'
    transaction."""
    if purpose not in CAPPED_PURPOSES or actor is None:
        return False  # the shell and background work act without a user
    # Lock the user's row: two reveals at once must not both count 19 and both pass.
    list(User.objects.select_for_update().filter(pk=actor.pk).values_list("pk"))
    limit: int = settings.TROPA_REVEAL_LIMIT_PER_HOUR
    return reveals_in_last_hour(actor) + count > limit


def record_reveals(
    *, actor: User | None, people: list[Person], purpose: str, **detail: Any
) -> None:
    """Log that ``actor`` is shown the identities of ``people``, all or none.

    Every way of putting an identity in front of a person goes through here, so that one
    hourly cap (``TROPA_REVEAL_LIMIT_PER_HOUR``, R17) counts them all. Past the cap, the
    refusal is logged and RevealLimitReached raised; nothing is revealed.
    """
    if not people:
        return
    with transaction.atomic():
        refused = _over_reveal_limit(actor, purpose, len(people))
        if not refused:
            for person in people:
                log_action(actor, Action.IDENTITY_REVEALED, person, purpose=purpose, **detail)
    if refused:
        limit = settings.TROPA_REVEAL_LIMIT_PER_HOUR
        # Outside the block above, so that the refusal stays in the log when the caller
        # handles the exception.
        log_action(
            actor, REVEAL_REFUSED, people[0], purpose=purpose, limit=limit, people=len(people)
        )
        raise RevealLimitReached(
            _(
                "You reached the limit of %(limit)d identity reveals per hour. This was "
                "recorded and your administrators see it. Try again later."
            )
            % {"limit": limit}
        )


def reveal_identity(*, actor: User | None, person: Person, purpose: str = "view") -> dict[str, Any]:
    """Decrypt a person's identity for ``actor``; every call is an audited reveal.

    Past the hourly cap (see ``record_reveals``) raises RevealLimitReached.
    """
    identity = Identity.objects.filter(person=person).first()
    record_reveals(actor=actor, people=[person], purpose=purpose, present=identity is not None)
    if identity is None:
        return {}
    data: dict[str, Any] = unseal(identity, "sealed", identity.sealed)
    if data.get("birth_date"):
        data["birth_date"] = date.fromisoformat(data["birth_date"])
    return data


def find_by_document(
    *, actor: User | None, organization: Organization, number: str
) -> list[Person]:
    digest = blind_index(organization.pk, "document", _normalize_document(number))
    people = list(
        Person.objects.filter(
            organization=organization, identity__doc_index__digest=digest
        ).distinct()
    )
    log_action(
        actor, Action.IDENTITY_SEARCHED_BY_DOCUMENT, organization=organization, found=len(people)
    )
    return people


# Service record ----------------------------------------------------------------------------

SERVICE_FIELDS = (
    "branch",
    "unit",
    "rank",
    "service_type",
    "service_start",
    "service_end",
    "left_how",
    "left_on",
    "articles",
    "wanted_status",
)


def save_service_record(*, actor: User | None, person: Person, **fields: Any) -> ServiceRecord:
    unknown = set(fields) - set(SERVICE_FIELDS)
    if unknown:
        raise TypeError(f"unknown service record fields: {sorted(unknown)}")
    start, end = fields.get("service_start"), fields.get("service_end")
    if start and end and end < start:
        raise CaseError(_("Service cannot end before it started."))
    with transaction.atomic():
        record, created = ServiceRecord.objects.get_or_create(
            person=person, defaults={"organization_id": person.organization_id}
        )
        changed = [k for k, v in fields.items() if getattr(record, k) != v]
        for name, value in fields.items():
            setattr(record, name, value)
        record.save()
        if "unit" in changed:
            for case in person.cases.select_related("person"):
                _refresh_search_text(case)
                case.save(update_fields=["search_text", "logistics_search_text"])
        log_action(
            actor, Action.SERVICE_RECORD_SAVED, person, fields=sorted(changed), created=created
        )
    return record


def add_deployment(
    *, actor: User | None, person: Person, place: str, start: date | None, end: date | None
) -> Deployment:
    if start and end and end < start:
        raise CaseError(_("A deployment cannot end before it started."))
    with transaction.atomic():
        record, _created = ServiceRecord.objects.get_or_create(
            person=person, defaults={"organization_id": person.organization_id}
        )
        deployment: Deployment = Deployment.objects.create(
            organization_id=person.organization_id,
            service_record=record,
            place=place.strip(),
            start=start,
            end=end,
        )
        log_action(actor, Action.DEPLOYMENT_ADDED, person, deployment=str(deployment.code))
    return deployment


def remove_deployment(*, actor: User | None, deployment: Deployment) -> None:
    with transaction.atomic():
        person = deployment.service_record.person
        log_action(actor, Action.DEPLOYMENT_REMOVED, person, deployment=str(deployment.code))
        deployment.delete()


# Notes -------------------------------------------------------------------------------------


def add_note(*, actor: User | None, case: Case, text: str) -> Note:
    text = text.strip()
    if not text:
        raise CaseError(_("A note cannot be empty."))
    with transaction.atomic():
        note = Note(organization_id=case.organization_id, case=case, author=actor)
        note.sealed = seal(note, "sealed", text)
        note.save(force_insert=True)
        log_action(actor, Action.NOTE_ADDED, case)
    return note


def read_notes(case: Case) -> list[tuple[Note, str]]:
    """Decrypted notes of a case; the caller logs the read (see ``log_case_viewed``)."""
    notes = case.notes.select_related("author")
    return [(note, unseal(note, "sealed", note.sealed)) for note in notes]


# Tasks -------------------------------------------------------------------------------------


def add_task(
    *, actor: User | None, case: Case, title: str, due_on: date | None, assignee: Any = None
) -> Task:
    with transaction.atomic():
        task: Task = Task.objects.create(
            organization_id=case.organization_id,
            case=case,
            title=title.strip(),
            due_on=due_on,
            assignee=assignee,
            created_by=actor,
        )
        log_action(actor, Action.TASK_ADDED, case, task=str(task.code))
    return task


def set_task_done(*, actor: User | None, task: Task, done: bool) -> None:
    with transaction.atomic():
        task.done_at = _now() if done else None
        task.save(update_fields=["done_at"])
        log_action(
            actor,
            Action.TASK_DONE if done else Action.TASK_REOPENED,
            task.case,
            task=str(task.code),
        )


# Needs, support, family --------------------------------------------------------------------


def add_need(*, actor: User | None, case: Case, kind: str, details: str = "") -> Need:
    with transaction.atomic():
        need = Need(organization_id=case.organization_id, case=case, kind=kind)
        need.sealed = seal(need, "sealed", details.strip()) if details.strip() else None
        need.save(force_insert=True)
        log_action(actor, Action.NEED_ADDED, case, kind=kind)
    return need


def set_need_met(*, actor: User | None, need: Need, met: bool) -> None:
    with transaction.atomic():
        need.met_at = _now() if met else None
        need.save(update_fields=["met_at"])
        log_action(
            actor, Action.NEED_MET if met else Action.NEED_REOPENED, need.case, need=str(need.code)
        )


def record_support(
    *,
    actor: User | None,
    case: Case,
    kind: str,
    given_on: date,
    amount: Decimal | None = None,
    currency: str = "",
    details: str = "",
) -> Support:
    if amount is not None and amount < 0:
        raise CaseError(_("An amount cannot be negative."))
    if amount is not None and not currency:
        raise CaseError(_("Choose the currency of the amount."))
    with transaction.atomic():
        support = Support(
            organization_id=case.organization_id,
            case=case,
            kind=kind,
            amount=amount,
            currency=currency if amount is not None else "",
            given_on=given_on,
            recorded_by=actor,
        )
        support.sealed = seal(support, "sealed", details.strip()) if details.strip() else None
        support.save(force_insert=True)
        log_action(actor, Action.SUPPORT_RECORDED, case, kind=kind)
    return support


def add_family_member(
    *, actor: User | None, case: Case, relation: str, name: str, birth_year: int | None = None
) -> FamilyMember:
    with transaction.atomic():
        member = FamilyMember(
            organization_id=case.organization_id,
            case=case,
            relation=relation,
            birth_year=birth_year,
        )
        member.sealed = seal(member, "sealed", name.strip())
        member.save(force_insert=True)
        log_action(actor, Action.FAMILY_MEMBER_ADDED, case, relation=relation)
    return member


def remove_family_member(*, actor: User | None, member: FamilyMember) -> None:
    with transaction.atomic():
        log_action(actor, Action.FAMILY_MEMBER_REMOVED, member.case, relation=member.relation)
        member.delete()


def unseal_text(obj: Any) -> str:
    return str(unseal(obj, "sealed", obj.sealed) or "")


# Alerts ------------------------------------------------------------------------------------


def raise_alert(*, actor: User | None, case: Case, kind: str, details: str = "") -> Alert:
    with transaction.atomic():
        alert = Alert(
            organization_id=case.organization_id,
            case=case,
            kind=kind,
            raised_by=actor,
            raised_at=_now(),
        )
        alert.sealed = seal(alert, "sealed", details.strip()) if details.strip() else None
        alert.save(force_insert=True)
        case.has_active_alert = True
        case.save(update_fields=["has_active_alert", "updated_at"])
        log_action(actor, Action.ALERT_RAISED, case, kind=kind, alert=str(alert.code))
    return alert


def tick_alert_item(*, actor: User | None, alert: Alert, item: str) -> AlertAction:
    if item not in ChecklistItem.values:
        raise CaseError(_("Unknown checklist item."))
    if not alert.is_active:
        raise CaseError(_("This alert is already resolved."))
    with transaction.atomic():
        action, created = AlertAction.objects.get_or_create(
            alert=alert, item=item, defaults={"done_by": actor, "done_at": _now()}
        )
        if created:
            log_action(actor, Action.ALERT_ITEM_DONE, alert.case, alert=str(alert.code), item=item)
    return action


def resolve_alert(*, actor: User | None, alert: Alert) -> None:
    if not alert.is_active:
        raise CaseError(_("This alert is already resolved."))
    with transaction.atomic():
        alert.resolved_at, alert.resolved_by = _now(), actor
        alert.save(update_fields=["resolved_at", "resolved_by"])
        case = alert.case
        case.has_active_alert = case.alerts.filter(resolved_at__isnull=True).exists()
        case.save(update_fields=["has_active_alert", "updated_at"])
        log_action(actor, Action.ALERT_RESOLVED, case, alert=str(alert.code))
