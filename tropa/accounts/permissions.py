"""What each role may do. Object access (which case) lives in each app's access helpers."""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from functools import update_wrapper
from typing import Concatenate, ParamSpec, TypeVar, cast

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from .models import Role, User


class Cap(StrEnum):
    VIEW_CASES = "view_cases"
    SEE_ALL_CASES = "see_all_cases"
    WRITE_CASES = "write_cases"
    VIEW_SERVICE_RECORD = "view_service_record"
    VIEW_IDENTITY = "view_identity"
    WRITE_IDENTITY = "write_identity"
    VIEW_NOTES = "view_notes"
    WRITE_NOTES = "write_notes"
    WRITE_LOGISTICS = "write_logistics"
    MANAGE_ALERTS = "manage_alerts"
    MANAGE_USERS = "manage_users"
    APPROVE_ROLES = "approve_roles"
    VIEW_EVIDENCE = "view_evidence"
    ADD_EVIDENCE = "add_evidence"
    APPROVE_EXPORT = "approve_export"
    SCREEN = "screen"
    REVIEW_SCREENING = "review_screening"
    VIEW_OUTREACH = "view_outreach"
    WRITE_OUTREACH = "write_outreach"
    # pathways: coordinators keep the organization's copy of countries, pathways and facts
    EDIT_PATHWAYS = "edit_pathways"
    # vetting (tropa/vetting): work checks and claims; open a vetting; sign a decision
    VET = "vet"
    OPEN_VETTING = "open_vetting"
    SIGN_VETTING = "sign_vetting"
    # testimony
    VIEW_TESTIMONY = "view_testimony"
    WRITE_TESTIMONY = "write_testimony"
    CLASSIFY_TESTIMONY = "classify_testimony"
    FLAG_IMPLICATED = "flag_implicated"
    # intake (tropa/intake): invite people, triage what they send; edit interview definitions
    TRIAGE_INTAKE = "triage_intake"
    EDIT_INTAKE_FORMS = "edit_intake_forms"
    # sharing (tropa/sharing): refer cases and give advocates access; an advocate sees only
    # the cases granted to them (tropa/cases/registry.py: granted_cases)
    SHARE_CASES = "share_cases"
    SEE_GRANTED_CASES = "see_granted_cases"


_CASE_STAFF = {
    Cap.VIEW_CASES,
    Cap.SEE_ALL_CASES,
    Cap.WRITE_CASES,
    Cap.VIEW_SERVICE_RECORD,
    Cap.VIEW_IDENTITY,
    Cap.WRITE_IDENTITY,
    Cap.VIEW_NOTES,
    Cap.WRITE_NOTES,
    Cap.WRITE_LOGISTICS,
    Cap.MANAGE_ALERTS,
    Cap.VIEW_EVIDENCE,
    Cap.ADD_EVIDENCE,
    Cap.APPROVE_EXPORT,
    Cap.VIEW_OUTREACH,
    Cap.WRITE_OUTREACH,
    Cap.SCREEN,
}

# Testimony: who records interviews, and who classifies and flags a witness (lawyers and
# verifiers; a flagged witness's testimony is theirs alone, tropa/testimony/access.py).
_TESTIMONY_TAKERS = {Cap.VIEW_TESTIMONY, Cap.WRITE_TESTIMONY}
_TESTIMONY_REVIEWERS = {Cap.CLASSIFY_TESTIMONY, Cap.FLAG_IMPLICATED}

ROLE_CAPS: dict[str, frozenset[Cap]] = {
    # An administrator manages accounts and sees no case content.
    Role.ADMIN: frozenset({Cap.MANAGE_USERS, Cap.EDIT_INTAKE_FORMS}),
    # The coordinator leads the desk, decides on screening hits, and is the second person
    # for every role change an administrator asks for.
    Role.COORDINATOR: frozenset(
        {
            *_CASE_STAFF,
            Cap.REVIEW_SCREENING,
            Cap.APPROVE_ROLES,
            Cap.EDIT_PATHWAYS,
            Cap.VET,
            Cap.OPEN_VETTING,
            *_TESTIMONY_TAKERS,
            Cap.TRIAGE_INTAKE,
            Cap.EDIT_INTAKE_FORMS,
        }
    ),
    # Caseworkers have no testimony rights: an interview is taken by a lawyer or coordinator.
    Role.CASEWORKER: frozenset(_CASE_STAFF),
    # A lawyer may be the second of the two people who sign a vetting decision.
    Role.LAWYER: frozenset(
        {*_CASE_STAFF, Cap.VET, Cap.SIGN_VETTING, *_TESTIMONY_TAKERS, *_TESTIMONY_REVIEWERS}
    ),
    Role.VERIFIER: frozenset(
        {
            Cap.VIEW_CASES,
            Cap.SEE_ALL_CASES,
            Cap.VIEW_SERVICE_RECORD,
            Cap.VIEW_IDENTITY,
            Cap.VIEW_NOTES,
            Cap.WRITE_NOTES,
            Cap.VIEW_EVIDENCE,
            Cap.ADD_EVIDENCE,
            Cap.APPROVE_EXPORT,
            Cap.VIEW_OUTREACH,
            Cap.SCREEN,
            Cap.REVIEW_SCREENING,
            Cap.VET,
            Cap.OPEN_VETTING,
            Cap.SIGN_VETTING,
            Cap.VIEW_TESTIMONY,
            *_TESTIMONY_REVIEWERS,
        }
    ),
    # Volunteers do logistics for the cases they are given; never identity or notes.
    Role.VOLUNTEER: frozenset({Cap.VIEW_CASES, Cap.WRITE_LOGISTICS}),
    # An advocate reads and writes the outreach of the cases granted to them, nothing else
    # (no VIEW_CASES: no case desk); tropa/sharing/middleware.py answers 404 outside those
    # pages and signs out an advocate whose grants have all expired or been revoked.
    Role.ADVOCATE: frozenset({Cap.SEE_GRANTED_CASES, Cap.VIEW_OUTREACH, Cap.WRITE_OUTREACH}),
}

# sharing: coordinators refer cases, decide on incoming referrals and give advocates access.
ROLE_CAPS[Role.COORDINATOR] = ROLE_CAPS[Role.COORDINATOR] | {Cap.SHARE_CASES}


def staff_user(request: HttpRequest) -> User:
    """The signed-in user; every view past the login middleware has one."""
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    return user


class AuthenticatedHttpRequest(HttpRequest):
    """A request of a signed-in staff user: ``request.user`` is a ``User`` (healthchecks'
    pattern). Views get one through ``staff_view``; nothing constructs it."""

    user: User


P = ParamSpec("P")
R = TypeVar("R")


def staff_view(
    view: Callable[Concatenate[AuthenticatedHttpRequest, P], R],
) -> Callable[Concatenate[HttpRequest, P], R]:
    """A view that needs a signed-in user (403 otherwise; the middleware already sends
    everyone else to the login), typed so that ``request.user`` is a ``User``."""

    def checked(request: HttpRequest, /, *args: P.args, **kwargs: P.kwargs) -> R:
        staff_user(request)
        return view(cast(AuthenticatedHttpRequest, request), *args, **kwargs)

    update_wrapper(checked, view)
    return checked


def caps_of(user: User | AnonymousUser | None) -> frozenset[Cap]:
    if not isinstance(user, User) or not user.is_active or user.role is None:
        return frozenset()
    return ROLE_CAPS.get(user.role, frozenset())


def can(user: User | AnonymousUser | None, cap: Cap) -> bool:
    return cap in caps_of(user)
