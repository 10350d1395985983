"""The "witness may be implicated" flag as other apps read it (E13).

``implicated_flag(case)`` needs no request and no user: the vetting app applies its own
access rules to what it shows. It opens one sealed value.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tropa.cases.models import Case
from tropa.crypto.fields import unseal

from .models import Witness


@dataclass(frozen=True)
class ImplicatedFlag:
    set_at: datetime
    rights_explained_at: datetime | None


def implicated_flag(case: Case) -> ImplicatedFlag | None:
    """The flag on the case's witness, or None when he is not flagged."""
    witness = Witness.objects.filter(organization=case.organization_id, case=case).first()
    return flag_of(witness)


def flag_of(witness: Witness | None) -> ImplicatedFlag | None:
    if witness is None:
        return None
    data = unseal(witness, "sealed_flag", witness.sealed_flag) or {}
    if not data.get("flagged"):
        return None
    explained = data.get("rights_explained_at")
    return ImplicatedFlag(
        set_at=datetime.fromisoformat(data["set_at"]),
        rights_explained_at=datetime.fromisoformat(explained) if explained else None,
    )
