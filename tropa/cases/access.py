"""Which cases and case items a user may reach. Isolation lives here, not in each view.

Anything outside the user's organization, or outside what the role may see, is a 404, so
that a probe learns nothing about whether an object exists. Within what a user can see, an
action the role may not take is a 403.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q
from django.http import Http404

from tropa.accounts.permissions import Cap, can
from tropa.audit.services import log_action

from .models import Alert, Case, CaseQuerySet, Deployment, FamilyMember, Need, Task

M = TypeVar("M", bound=models.Model)


def visible_cases(user: Any) -> CaseQuerySet:
    organization = getattr(user, "organization", None)
    if organization is None or not can(user, Cap.VIEW_CASES):
        return Case.objects.none()
    cases = Case.objects.of_organization(organization)
    if not can(user, Cap.SEE_ALL_CASES):
        # Volunteers see the cases given to them and those where they hold a task.
        cases = cases.filter(Q(assignee=user) | Q(tasks__assignee=user)).distinct()
    return cases


def scope_to_visible_cases(
    user: Any, items: models.QuerySet[M], case_path: str = "case"
) -> models.QuerySet[M]:
    """``items`` (rows that carry ``organization`` and a case) limited to what ``user`` sees.

    Filtering on the item's own organization uses its index; ``case__in=visible_cases()``
    would make the database build the set of all the organization's cases first.
    """
    organization = getattr(user, "organization", None)
    if organization is None or not can(user, Cap.VIEW_CASES):
        return items.none()
    items = items.filter(organization=organization)
    if not can(user, Cap.SEE_ALL_CASES):
        items = items.filter(
            Q(**{f"{case_path}__assignee": user}) | Q(**{f"{case_path}__tasks__assignee": user})
        ).distinct()
    return items


def deny(user: Any, code: Any, kind: str) -> Http404:
    log_action(user, "access.denied", requested=str(code), kind=kind)
    return Http404()


def access_case(user: Any, code: Any, *, cap: Cap | None = None) -> Case:
    """The case ``code`` if the user may see it (else 404), and do ``cap`` (else 403)."""
    case = visible_cases(user).select_related("person").filter(code=code).first()
    if case is None:
        raise deny(user, code, "case")
    if cap is not None and not can(user, cap):
        log_action(user, "access.forbidden", case, capability=cap.value)
        raise PermissionDenied
    return case


def _access_item(user: Any, model: type[M], code: Any, cap: Cap, case_path: str) -> M:
    item = scope_to_visible_cases(user, model._default_manager.filter(code=code), case_path).first()
    if item is None:
        raise deny(user, code, model._meta.model_name or "item")
    if not can(user, cap):
        raise PermissionDenied
    return item


def access_task(user: Any, code: Any) -> Task:
    return _access_item(user, Task, code, Cap.WRITE_LOGISTICS, "case")


def access_need(user: Any, code: Any) -> Need:
    return _access_item(user, Need, code, Cap.WRITE_LOGISTICS, "case")


def access_alert(user: Any, code: Any) -> Alert:
    return _access_item(user, Alert, code, Cap.MANAGE_ALERTS, "case")


def access_family_member(user: Any, code: Any) -> FamilyMember:
    return _access_item(user, FamilyMember, code, Cap.WRITE_CASES, "case")


def access_deployment(user: Any, code: Any) -> Deployment:
    return _access_item(user, Deployment, code, Cap.WRITE_CASES, "service_record__person__cases")
