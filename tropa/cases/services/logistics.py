"""Logistics of a case: service record and deployments, notes, tasks, needs, support, family."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from tropa.accounts.models import User
from tropa.audit.actions import Action
from tropa.audit.services import log_action
from tropa.crypto.fields import seal, unseal

from ..models import (
    Case,
    Deployment,
    FamilyMember,
    Need,
    Note,
    Person,
    ServiceRecord,
    Support,
    Task,
)
from .common import CaseError, _now, _refresh_search_text

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
