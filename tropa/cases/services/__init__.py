"""Every write to people and cases, and every read of sealed data, each audited.

Views call these functions; nothing else saves case models. Audit entries record which
fields changed, never their values.

One module per section; this package re-exports their public names, so that callers write
``from tropa.cases import services as cases`` and ``cases.reveal_identity(...)``.
"""

from __future__ import annotations

from .alerts import raise_alert, resolve_alert, tick_alert_item, untick_alert_item
from .cases import (
    CASE_FIELDS,
    CaseSheet,
    cases_with_pseudonym,
    create_case,
    log_case_viewed,
    move_stage,
    read_case_sheet,
    update_case,
)
from .common import CaseError, search_text_of, unseal_text
from .identity import (
    CAPPED_PURPOSES,
    IDENTITY_FIELDS,
    REVEAL_REFUSED,
    RevealLimitReached,
    find_by_document,
    find_by_identity,
    find_by_name,
    has_identity,
    record_reveals,
    reveal_identity,
    reveals_in_last_hour,
    save_identity,
)
from .logistics import (
    SERVICE_FIELDS,
    add_deployment,
    add_family_member,
    add_need,
    add_note,
    add_task,
    read_notes,
    record_support,
    remove_deployment,
    remove_family_member,
    save_service_record,
    set_need_met,
    set_task_done,
)

__all__ = [
    "CAPPED_PURPOSES",
    "CASE_FIELDS",
    "IDENTITY_FIELDS",
    "REVEAL_REFUSED",
    "SERVICE_FIELDS",
    "CaseError",
    "CaseSheet",
    "RevealLimitReached",
    "add_deployment",
    "add_family_member",
    "add_need",
    "add_note",
    "add_task",
    "cases_with_pseudonym",
    "create_case",
    "find_by_document",
    "find_by_identity",
    "find_by_name",
    "has_identity",
    "log_case_viewed",
    "move_stage",
    "raise_alert",
    "read_case_sheet",
    "read_notes",
    "record_reveals",
    "record_support",
    "remove_deployment",
    "remove_family_member",
    "resolve_alert",
    "reveal_identity",
    "reveals_in_last_hour",
    "save_identity",
    "save_service_record",
    "search_text_of",
    "set_need_met",
    "set_task_done",
    "tick_alert_item",
    "unseal_text",
    "untick_alert_item",
    "update_case",
]
