"""Which cases and case items a user may reach. Isolation lives here, not in each view.

Anything outside the user's organization, or outside what the role may see, is a 404, so
that a probe learns nothing about whether an object exists. Within what a user can see, an
action the role may not take is a 403.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.contrib.auth.models import AnonymousUser
from django.db import models
from django.db.models import Q
from django.http import Http404

from tropa.accounts.models import Organization, User
from tropa.accounts.permissions import Cap, can
from tropa.audit.actions import Action
from tropa.audit.services import log_action
from tropa.core.access import forbid
from tropa.core.models import OrganizationOwned, ScopedQuerySet

from .models import Alert, Case, CaseQuerySet, Deployment, FamilyMember, Need, Task
from .registry import granted_cases

M = TypeVar("M", bound=models.Model)
Owned = TypeVar("Owned", bound=OrganizationOwned)

# Whoever asks: the signed-in user, or what ``request.user`` holds for nobody (refused).
Viewer = User | AnonymousUser | None


def _organization(user: Viewer) -> Organization | None:
    return user.organization if isinstance(user, User) else None


def _nothing(items: models.QuerySet[M]) -> models.QuerySet[M]:
    """No rows, without tripping the scoped manager (an empty answer names no organization)."""
    if isinstance(items, ScopedQuerySet):
        return items.unscoped().none()
    return items.none()


def visible_cases(user: Viewer) -> CaseQuerySet:
    organization = _organization(user)
    if organization is not None and can(user, Cap.SEE_GRANTED_CASES):  # an advocate
        return Case.objects.for_organization(organization).filter(granted_cases(user))
    if organization is None or not can(user, Cap.VIEW_CASES):
        return Case.objects.unscoped().none()
    cases = Case.objects.for_organization(organization)
    if not can(user, Cap.SEE_ALL_CASES):
        # Volunteers see the cases given to them and those where they hold a task.
        cases = cases.filter(Q(assignee=user) | Q(tasks__assignee=user)).distinct()
    return cases


def scope_to_visible_cases(
    user: Viewer, items: models.QuerySet[M], case_path: str = "case"
) -> models.QuerySet[M]:
    """``items`` (rows that carry ``organization`` and a case) limited to what ``user`` sees.

    Filtering on the item's own organization uses its index; ``case__in=visible_cases()``
    would make the database build the set of all the organization's cases first.
    """
    organization = _organization(user)
    if organization is not None and can(user, Cap.SEE_GRANTED_CASES):  # an advocate
        return items.filter(granted_cases(user, case_path), organization=organization)
    if organization is None or not can(user, Cap.VIEW_CASES):
        return _nothing(items)
    items = items.filter(organization=organization)
    if not can(user, Cap.SEE_ALL_CASES):
        items = items.filter(
            Q(**{f"{case_path}__assignee": user}) | Q(**{f"{case_path}__tasks__assignee": user})
        ).distinct()
    return items


def deny(user: Viewer, code: Any, kind: str) -> Http404:
    log_action(user, Action.ACCESS_DENIED, requested=str(code), kind=kind)
    return Http404()


def access_case(user: Viewer, code: Any, *, cap: Cap | None = None) -> Case:
    """The case ``code`` if the user may see it (else 404), and do ``cap`` (else 403)."""
    case: Case | None = visible_cases(user).select_related("person").filter(code=code).first()
    if case is None:
        raise deny(user, code, "case")
    if cap is not None and not can(user, cap):
        forbid(user, cap, case)
    return case


def _access_item(user: Viewer, model: type[Owned], code: Any, cap: Cap, case_path: str) -> Owned:
    # Unscoped only until scope_to_visible_cases names the user's organization.
    found = model.objects.unscoped().filter(code=code)
    item: Owned | None = scope_to_visible_cases(user, found, case_path).first()
    if item is None:
        raise deny(user, code, model._meta.model_name or "item")
    if not can(user, cap):
        forbid(user, cap, item)
    return item


def access_task(user: Viewer, code: Any) -> Task:
    return _access_item(user, Task, code, Cap.WRITE_LOGISTICS, "case")


def access_need(user: Viewer, code: Any) -> Need:
    return _access_item(user, Need, code, Cap.WRITE_LOGISTICS, "case")


def access_alert(user: Viewer, code: Any) -> Alert:
    return _access_item(user, Alert, code, Cap.MANAGE_ALERTS, "case")


def access_family_member(user: Viewer, code: Any) -> FamilyMember:
    return _access_item(user, FamilyMember, code, Cap.WRITE_CASES, "case")


def access_deployment(user: Viewer, code: Any) -> Deployment:
    return _access_item(user, Deployment, code, Cap.WRITE_CASES, "service_record__person__cases")
