"""Every write of the outreach tracker, each audited.

Views, commands and tasks call these functions; nothing else saves outreach models. Audit
entries carry codes, counts and statuses, never letter text, reasons or names. Cases are
changed only through ``tropa.cases.services`` (the follow-up task).

One module per concern: ``directory`` (institutions, contacts, the starter set),
``requests`` (a request with its file, answers, files), ``letters`` (reading and revealing
a letter, templates), ``followups`` (periods and the rule), ``imports`` (staging and
importing spreadsheets), ``exports`` (their audit). Callers import from here:
``from tropa.outreach import services; services.record_request(...)``. Tasks that wrap these
live in ``tropa.outreach.tasks``, which imports services, never the other way round.
"""

from __future__ import annotations

from .base import OutreachError
from .directory import (
    INSTITUTION_FIELDS,
    add_contact,
    create_institution,
    load_starter_set,
    remove_contact,
    update_institution,
)
from .exports import export_logged, log_export_reveals
from .followups import followup_days, mark_followed_up, run_followups, set_followup_days
from .imports import (
    STAGING_LIFETIME,
    ImportSummary,
    confirm_import,
    discard_import,
    import_requests,
    stage_import,
    staged,
    update_staging,
)
from .letters import read_letter, reveal_letter, save_template
from .requests import (
    MAX_ATTACHMENT_BYTES,
    add_attachment,
    note_of,
    read_attachment,
    record_answer,
    record_request,
    subjects_of,
)

__all__ = [
    "INSTITUTION_FIELDS",
    "MAX_ATTACHMENT_BYTES",
    "STAGING_LIFETIME",
    "ImportSummary",
    "OutreachError",
    "add_attachment",
    "add_contact",
    "confirm_import",
    "create_institution",
    "discard_import",
    "export_logged",
    "followup_days",
    "import_requests",
    "load_starter_set",
    "log_export_reveals",
    "mark_followed_up",
    "note_of",
    "read_attachment",
    "read_letter",
    "record_answer",
    "record_request",
    "remove_contact",
    "reveal_letter",
    "run_followups",
    "save_template",
    "set_followup_days",
    "stage_import",
    "staged",
    "subjects_of",
    "update_institution",
    "update_staging",
]
