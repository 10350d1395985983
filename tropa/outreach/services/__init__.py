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
    own_city,
    remove_contact,
    update_institution,
)
from .exports import export_logged, log_export_reveals
from .followups import (
    followup_days,
    mark_followed_up,
    reminder_on,
    run_followups,
    set_followup_days,
    set_followup_reminder,
)
from .imports import (
    NEW_INSTITUTION,
    STAGING_LIFETIME,
    ImportChoices,
    ImportSummary,
    already_imported,
    confirm_import,
    discard_import,
    fingerprints,
    import_requests,
    lines_already_imported,
    propose_institutions,
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
    "NEW_INSTITUTION",
    "STAGING_LIFETIME",
    "ImportChoices",
    "ImportSummary",
    "OutreachError",
    "add_attachment",
    "add_contact",
    "already_imported",
    "confirm_import",
    "create_institution",
    "discard_import",
    "export_logged",
    "fingerprints",
    "followup_days",
    "import_requests",
    "lines_already_imported",
    "load_starter_set",
    "log_export_reveals",
    "mark_followed_up",
    "note_of",
    "own_city",
    "propose_institutions",
    "read_attachment",
    "read_letter",
    "record_answer",
    "record_request",
    "reminder_on",
    "remove_contact",
    "reveal_letter",
    "run_followups",
    "save_template",
    "set_followup_days",
    "set_followup_reminder",
    "stage_import",
    "staged",
    "subjects_of",
    "update_institution",
    "update_staging",
]
