"""Vetting services by concern: the checklist, the work, the decisions, the dossiers."""

from __future__ import annotations

from .checklist import active_items, add_item, change_item, checklist
from .common import Blockers, Implicated, VettingError, blockers, implicated
from .decisions import (
    current_decision,
    propose_decision,
    reopen_decision,
    sign_decision,
    signoff_refusal,
    withdraw_decision,
)
from .dossiers import (
    decide_dossier,
    decided,
    dossier_recipient,
    download_dossier,
    expire_dossiers,
    export_dossier,
    may_decide_dossier,
    request_dossier,
)
from .work import (
    Links,
    add_claim,
    grade_claim,
    open_vetting,
    read_check,
    read_claim,
    read_history,
    update_check,
)

__all__ = [
    "Blockers",
    "Implicated",
    "Links",
    "VettingError",
    "active_items",
    "add_claim",
    "add_item",
    "blockers",
    "change_item",
    "checklist",
    "current_decision",
    "decide_dossier",
    "decided",
    "dossier_recipient",
    "download_dossier",
    "expire_dossiers",
    "export_dossier",
    "grade_claim",
    "implicated",
    "may_decide_dossier",
    "open_vetting",
    "propose_decision",
    "read_check",
    "read_claim",
    "read_history",
    "reopen_decision",
    "request_dossier",
    "sign_decision",
    "signoff_refusal",
    "update_check",
    "withdraw_decision",
]
