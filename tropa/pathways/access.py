"""Who reaches what of pathways.

Countries, pathways and facts are the organization's reference data: every staff member
with cases reads them, coordinators edit them. A case's trips, deadlines and pursued pathways
follow the case (``tropa.cases.access``): outside what the user sees of cases is a 404.
"""

from __future__ import annotations

from typing import Any, TypeVar

from tropa.accounts.permissions import Cap, can
from tropa.cases.access import Viewer, deny, scope_to_visible_cases
from tropa.core.access import forbid
from tropa.core.models import OrganizationOwned

from .models import CasePathway, CountryProfile, Deadline, Fact, Pathway, Trip

Owned = TypeVar("Owned", bound=OrganizationOwned)


def _reference(user: Viewer, model: type[Owned], code: Any, cap: Cap | None) -> Owned:
    organization = getattr(user, "organization", None)
    if organization is None or not can(user, Cap.VIEW_CASES):
        raise deny(user, code, model._meta.model_name or "item")
    found: Owned | None = model.objects.filter(organization=organization, code=code).first()
    if found is None:
        raise deny(user, code, model._meta.model_name or "item")
    if cap is not None and not can(user, cap):
        forbid(user, cap, found)
    return found


def access_pathway(user: Viewer, code: Any, *, cap: Cap | None = None) -> Pathway:
    return _reference(user, Pathway, code, cap)


def access_country(user: Viewer, code: Any, *, cap: Cap | None = None) -> CountryProfile:
    return _reference(user, CountryProfile, code, cap)


def access_fact(user: Viewer, code: Any, *, cap: Cap | None = None) -> Fact:
    return _reference(user, Fact, code, cap)


def _case_item(user: Viewer, model: type[Owned], code: Any, cap: Cap) -> Owned:
    found = model.objects.unscoped().filter(code=code)
    item: Owned | None = scope_to_visible_cases(user, found).first()
    if item is None:
        raise deny(user, code, model._meta.model_name or "item")
    if not can(user, cap):
        forbid(user, cap, item)
    return item


def access_trip(user: Viewer, code: Any) -> Trip:
    return _case_item(user, Trip, code, Cap.WRITE_CASES)


def access_deadline(user: Viewer, code: Any) -> Deadline:
    return _case_item(user, Deadline, code, Cap.WRITE_CASES)


def access_pursued(user: Viewer, code: Any) -> CasePathway:
    return _case_item(user, CasePathway, code, Cap.WRITE_CASES)
