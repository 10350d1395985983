"""Which pathways could fit a case, what each still lacks, and pursuing one."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tropa.accounts.models import User
from tropa.audit.actions import Action
from tropa.audit.services import log_action
from tropa.cases.models import Case, LeftHow, ServiceType
from tropa.cases.services import add_task

from ..errors import PathwayError
from ..models import (
    DERIVED_REQUIREMENTS,
    CasePathway,
    Category,
    Pathway,
    PathwayState,
    Requirement,
    RequirementMet,
)

DESERTED = {LeftHow.DESERTED, LeftHow.AWOL, LeftHow.FROM_LEAVE, LeftHow.SURRENDERED}


@dataclass
class RequirementState:
    code: str
    label: str
    met: bool
    via: str = ""  # what shows it: an evidence item's code, "vetting", "letter"


@dataclass
class Fit:
    pathway: Pathway
    requirements: list[RequirementState] = field(default_factory=list)
    pursued: CasePathway | None = None

    @property
    def missing(self) -> list[RequirementState]:
        return [r for r in self.requirements if not r.met]


def categories(case: Case) -> set[str]:
    """Deserter, mobilised, draft evader, family: what the case's records say he is."""
    found: set[str] = set()
    record = getattr(case.person, "service_record", None)
    if record is not None:
        if record.left_how in DESERTED:
            found.add(Category.DESERTER)
        if record.service_type == ServiceType.MOBILIZED:
            found.add(Category.MOBILISED)
        if record.service_type == ServiceType.DRAFT_EVADER or record.left_how == LeftHow.AVOIDED:
            found.add(Category.DRAFT_EVADER)
    if case.family.exists():
        found.add(Category.FAMILY)
    return found


def _vetting_recommends(case: Case) -> bool:
    if not apps.is_installed("tropa.vetting"):
        return False
    from tropa.vetting.flags import vetting_decision  # type: ignore[import-not-found,unused-ignore]  # present once the vetting app is

    return bool(vetting_decision(case) == "recommend")


def _letters_to(case: Case) -> set[str]:
    """Countries whose institutions the case has written to (outreach, when installed)."""
    if not apps.is_installed("tropa.outreach"):
        return set()
    from tropa.outreach.models import Request

    return set(
        Request.objects.filter(organization_id=case.organization_id, case=case).values_list(
            "institution__country", flat=True
        )
    )


def fits(case: Case, here: str | None = None) -> list[Fit]:
    """Pathways that could fit him, open ones first, with each requirement met or missing.

    ``here`` is the country he is in, when the caller knows it already.
    """
    from .clocks import current_country

    wanted = categories(case)
    here = here or current_country(case) or case.country
    pathways = Pathway.objects.filter(organization_id=case.organization_id)
    met = {r.requirement: r for r in case.requirements_met.select_related("evidence")}
    pursued = {p.pathway_id: p for p in case.pathways_pursued.filter(dropped_at=None)}
    derived: dict[str, bool] = {}
    letters: set[str] | None = None
    result = []
    for pathway in pathways:
        if wanted and not wanted & set(pathway.for_whom) and pathway.pk not in pursued:
            continue
        if pathway.in_country_only and pathway.country != here and pathway.pk not in pursued:
            continue
        fit = Fit(pathway, pursued=pursued.get(pathway.pk))
        for code, label in pathway.requirement_labels():
            if code == Requirement.VETTING:
                if "vetting" not in derived:
                    derived["vetting"] = _vetting_recommends(case)
                fit.requirements.append(
                    RequirementState(code, label, derived["vetting"], "vetting")
                )
            elif code == Requirement.LETTER:
                letters = _letters_to(case) if letters is None else letters
                fit.requirements.append(
                    RequirementState(code, label, pathway.country in letters, "letter")
                )
            else:
                row = met.get(code)
                via = str(row.evidence.code) if row and row.evidence else ""
                fit.requirements.append(RequirementState(code, label, row is not None, via))
        result.append(fit)
    order = {PathwayState.OPEN: 0, PathwayState.SUSPENDED: 1, PathwayState.CLOSED: 2}
    result.sort(
        key=lambda f: (f.pursued is None, order[PathwayState(f.pathway.state)], len(f.missing))
    )
    return result


def pursue(*, actor: User | None, case: Case, pathway: Pathway) -> CasePathway:
    """Mark a pathway as pursued; each requirement it still lacks becomes a task."""
    if pathway.organization_id != case.organization_id:
        raise PathwayError(_("This pathway is not one of your organization's."))
    if pathway.state == PathwayState.CLOSED:
        raise PathwayError(_("This pathway is closed."))
    fit = next((f for f in fits(case) if f.pathway.pk == pathway.pk), None)
    missing = fit.missing if fit else []
    with transaction.atomic():
        existing = case.pathways_pursued.filter(pathway=pathway).first()
        if existing and existing.dropped_at is None:
            raise PathwayError(_("This pathway is already pursued for this case."))
        if existing:
            existing.dropped_at, existing.pursued_by, existing.pursued_at = (
                None,
                actor,
                timezone.now(),
            )
            existing.save(update_fields=["dropped_at", "pursued_by", "pursued_at"])
            chosen = existing
        else:
            chosen = CasePathway.objects.create(
                organization_id=case.organization_id, case=case, pathway=pathway, pursued_by=actor
            )
        for requirement in missing:
            add_task(
                actor=actor,
                case=case,
                due_on=None,
                assignee=case.assignee,
                title=_("%(pathway)s: %(requirement)s")
                % {"pathway": pathway.name, "requirement": requirement.label},
            )
        log_action(
            actor, Action.PATHWAY_PURSUED, case, pathway=str(pathway.code), tasks=len(missing)
        )
    return chosen


def drop(*, actor: User | None, chosen: CasePathway) -> None:
    with transaction.atomic():
        chosen.dropped_at = timezone.now()
        chosen.save(update_fields=["dropped_at"])
        log_action(actor, Action.PATHWAY_DROPPED, chosen.case, pathway=str(chosen.pathway.code))


def mark_requirement(
    *, actor: User | None, case: Case, requirement: str, evidence: Any = None, met: bool = True
) -> None:
    """The case has (or no longer has) a document of this kind, shown by ``evidence``."""
    if requirement not in Requirement.values or requirement in DERIVED_REQUIREMENTS:
        raise PathwayError(_("This requirement is not one that can be marked by hand."))
    if evidence is not None and evidence.case_id != case.pk:
        raise PathwayError(_("That evidence item belongs to another case."))
    with transaction.atomic():
        rows = case.requirements_met.filter(requirement=requirement)
        if not met:
            rows.delete()
            log_action(actor, Action.PATHWAY_REQUIREMENT_UNMARKED, case, requirement=requirement)
            return
        row = rows.first() or RequirementMet(
            organization_id=case.organization_id, case=case, requirement=requirement
        )
        row.evidence, row.noted_by, row.noted_at = evidence, actor, timezone.now()
        row.save()
        log_action(
            actor,
            Action.PATHWAY_REQUIREMENT_MARKED,
            case,
            requirement=requirement,
            evidence=str(evidence.code) if evidence is not None else "",
        )
