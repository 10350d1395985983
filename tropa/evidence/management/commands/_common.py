"""Helpers shared by the evidence commands."""

from __future__ import annotations

import uuid
from typing import Any

from django.core.management.base import CommandError

from tropa.accounts.models import User
from tropa.cases.models import Case


def find_case(code: str) -> Case:
    try:
        parsed = uuid.UUID(code)
    except ValueError:
        raise CommandError(
            f"{code!r} is not a case code (a UUID; see 'tropa cases list')"
        ) from None
    # The shell: a case of any organization.
    case: Case | None = (
        Case.objects.unscoped().select_related("organization").filter(code=parsed).first()
    )
    if case is None:
        raise CommandError(f"no case with code {code}")
    return case


def find_user(username: str | None, case: Case) -> Any:
    """The named user of the case's organization, or None for the operator's shell."""
    if not username:
        return None
    user = User.objects.filter(
        username=username, membership__organization=case.organization
    ).first()
    if user is None:
        raise CommandError(f"no user {username!r} in the case's organization")
    return user
