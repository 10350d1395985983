"""Who may reach testimony. Another organization's object, a role without the testimony
rights (caseworkers, volunteers, administrators), or a flagged witness's testimony for
anyone but a lawyer or verifier: a 404 through ``deny``, exactly like an unknown code.
Within what a user can see, an action the role may not take is a 403 (``forbid``).
"""

from __future__ import annotations

from typing import Any, TypeVar

from tropa.accounts.models import Role
from tropa.accounts.permissions import Cap, can
from tropa.cases.access import Viewer, deny, scope_to_visible_cases, visible_cases
from tropa.cases.models import Case
from tropa.core.access import forbid
from tropa.core.models import OrganizationOwned

from .flags import flag_of
from .models import Act, Corroboration, Event, Testimony, TestimonyExport, Unit, Witness

Owned = TypeVar("Owned", bound=OrganizationOwned)

# Who reads a flagged witness's testimony (E13).
FLAGGED_READERS = frozenset({Role.LAWYER, Role.VERIFIER})


def may_see_case_testimony(user: Viewer, case: Case) -> bool:
    """May ``user`` see the testimony of ``case`` (a case they can already see)?"""
    if not can(user, Cap.VIEW_TESTIMONY):
        return False
    witness = Witness.objects.filter(organization=case.organization_id, case=case).first()
    if flag_of(witness) is not None:
        return getattr(user, "role", None) in FLAGGED_READERS
    return True


def _check(
    user: Viewer, obj: Owned | None, case: Case | None, code: Any, kind: str, cap: Cap
) -> Owned:
    if obj is None or case is None or not may_see_case_testimony(user, case):
        raise deny(user, code, kind)
    if not can(user, cap):
        forbid(user, cap, obj)
    return obj


def access_case(user: Viewer, code: Any, *, cap: Cap = Cap.VIEW_TESTIMONY) -> Case:
    case: Case | None = visible_cases(user).select_related("person").filter(code=code).first()
    return _check(user, case, case, code, "case", cap)


def access_testimony(user: Viewer, code: Any, *, cap: Cap = Cap.VIEW_TESTIMONY) -> Testimony:
    found = Testimony.objects.unscoped().select_related("case").filter(code=code)
    testimony: Testimony | None = scope_to_visible_cases(user, found).first()
    return _check(user, testimony, testimony.case if testimony else None, code, "testimony", cap)


def access_event(user: Viewer, code: Any, *, cap: Cap = Cap.VIEW_TESTIMONY) -> Event:
    found = Event.objects.unscoped().select_related("case", "testimony").filter(code=code)
    event: Event | None = scope_to_visible_cases(user, found).first()
    return _check(user, event, event.case if event else None, code, "event", cap)


def access_act(user: Viewer, code: Any, *, cap: Cap = Cap.VIEW_TESTIMONY) -> Act:
    found = Act.objects.unscoped().select_related("event__case").filter(code=code)
    act: Act | None = scope_to_visible_cases(user, found, "event__case").first()
    return _check(user, act, act.event.case if act else None, code, "act", cap)


def access_corroboration(user: Viewer, code: Any) -> Corroboration:
    """Both cases must be visible with their testimony: a decision shows on both."""
    found = Corroboration.objects.unscoped().select_related("event_a__case", "event_b__case")
    pair: Corroboration | None = scope_to_visible_cases(
        user, found.filter(code=code), "event_a__case"
    ).first()
    if pair is not None and not may_see_case_testimony(user, pair.event_b.case):
        pair = None
    cap = Cap.CLASSIFY_TESTIMONY
    return _check(user, pair, pair.event_a.case if pair else None, code, "corroboration", cap)


def access_export(user: Viewer, code: Any) -> TestimonyExport:
    found = TestimonyExport.objects.unscoped().select_related("case", "testimony")
    export: TestimonyExport | None = scope_to_visible_cases(user, found.filter(code=code)).first()
    return _check(
        user, export, export.case if export else None, code, "testimony_export", Cap.VIEW_TESTIMONY
    )


def access_unit(user: Viewer, code: Any) -> Unit:
    organization = getattr(user, "organization", None)
    unit: Unit | None = None
    if organization is not None and can(user, Cap.VIEW_TESTIMONY):
        unit = Unit.objects.filter(organization=organization, code=code).first()
    if unit is None:
        raise deny(user, code, "unit")
    if not can(user, Cap.WRITE_TESTIMONY):
        forbid(user, Cap.WRITE_TESTIMONY, unit)
    return unit
