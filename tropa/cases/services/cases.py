"""Cases: creating and updating them, their stages, and the case sheet a case page decrypts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from tropa.accounts.models import Organization, User
from tropa.accounts.permissions import Cap, can
from tropa.audit.actions import Action
from tropa.audit.services import log_action
from tropa.crypto.fields import unseal

from ..models import (
    RISK_ORDER,
    Alert,
    AlertAction,
    Case,
    ClosedReason,
    Country,
    FamilyMember,
    Need,
    Note,
    Person,
    Risk,
    ServiceRecord,
    Stage,
    StageChange,
    Support,
)
from ..places import match_city
from .common import CaseError, _now, _refresh_search_text, unseal_text
from .identity import has_identity
from .logistics import read_notes

CASE_FIELDS = (
    "risk",
    "assignee",
    "country",
    "city_code",
    "city",
    "arrived_on",
    "next_action",
    "next_action_on",
)


def cases_with_pseudonym(
    organization: Organization, pseudonym: str, *, limit: int = 5
) -> list[Case]:
    """Cases of ``organization`` whose person goes by ``pseudonym``, compared case-folded: a
    new case under a name already in use is asked about, not refused."""
    return list(
        Case.objects.for_organization(organization)
        .filter(person__pseudonym_folded=pseudonym.strip().casefold())
        .select_related("person")
        .order_by("-created_at")[:limit]
    )


def _city_by_code(fields: dict[str, Any], country: str) -> dict[str, Any]:
    """A city given as text that is on the reference list is stored as its code."""
    if fields.get("city") and not fields.get("city_code"):
        city = match_city(fields["city"], country)
        if city is not None:
            fields = {**fields, "city_code": city.code, "city": ""}
    return fields


def create_case(
    *, actor: User | None, organization: Organization, pseudonym: str, **fields: Any
) -> Case:
    unknown = set(fields) - set(CASE_FIELDS)
    if unknown:
        raise TypeError(f"unknown case fields: {sorted(unknown)}")
    fields = _city_by_code(fields, fields.get("country", Country.KZ))
    with transaction.atomic():
        person = Person.objects.create(
            organization=organization,
            pseudonym=pseudonym.strip(),
            pseudonym_folded=pseudonym.strip().casefold(),
        )
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
    if "city" in fields:
        fields = _city_by_code(fields, fields.get("country", case.country))
    with transaction.atomic():
        if pseudonym is not None and pseudonym.strip() != case.person.pseudonym:
            case.person.pseudonym = pseudonym.strip()
            case.person.pseudonym_folded = case.person.pseudonym.casefold()
            case.person.save(update_fields=["pseudonym", "pseudonym_folded"])
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
        if {"pseudonym", "city", "city_code"} & set(changed):
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
class AlertSheet:
    """One alert as the case page shows it: ``done`` maps each ticked checklist item to its
    current tick, ``history`` holds the ticks that were undone."""

    alert: Alert
    details: str
    done: dict[str, AlertAction]
    history: list[AlertAction]
    outcome_note: str


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
    alerts: list[AlertSheet]
    family: list[FamilyMember]


def _alert_sheet(alert: Alert, details: bool) -> AlertSheet:
    actions = list(alert.actions.all())
    note = ""
    if details and alert.sealed_outcome:
        note = str(unseal(alert, "sealed_outcome", alert.sealed_outcome) or "")
    return AlertSheet(
        alert=alert,
        details=unseal_text(alert) if details else "",
        done={a.item: a for a in actions if a.undone_at is None},
        history=[a for a in actions if a.undone_at is not None],
        outcome_note=note,
    )


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
        "actions__done_by", "actions__undone_by"
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
        alerts=[_alert_sheet(a, details) for a in alerts],
        family=list(case.family.all()),
    )
    log_case_viewed(actor=actor, case=case, sections=sections)
    return sheet
