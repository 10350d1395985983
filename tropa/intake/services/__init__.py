"""Every write of intake, each audited; one module per concern, re-exported here.

``create_submission`` is the seam for trusted channels (a bot, the JSON API)::

    from tropa.intake import services as intake
    started = intake.create_submission(
        organization=org, answers={"surname": "...", "needs": "..."}, language="ru",
        actor=None, source="bot",
    )
    started.submission, started.codename
"""

from __future__ import annotations

from ..definitions import DefinitionError
from .common import IntakeError, intake_settings, read_answers
from .exchange import attach_file, read_messages, reply_from_person, send_to_person
from .invitations import (
    NewInvitation,
    create_invitation,
    open_public_link,
    revoke_invitation,
    take_from_budget,
    update_settings,
    usable_invitation,
    usable_invitation_row,
)
from .submissions import (
    PersonStatus,
    Started,
    create_submission,
    definition_for,
    definition_of,
    find_by_codename,
    finish,
    form_token,
    person_status,
    save_page,
    start_from_invitation,
    start_from_public_link,
    submission_from_token,
    withdraw,
)
from .sweep import sweep_drafts
from .triage import (
    Reading,
    accept,
    counts_by_status,
    counts_per_day,
    mapped_fields,
    merge,
    propose_candidates,
    queue,
    read_submission,
    reject,
    request_documents,
    start_review,
)
from .uploads import upload_definition

__all__ = [
    "DefinitionError",
    "IntakeError",
    "NewInvitation",
    "PersonStatus",
    "Reading",
    "Started",
    "accept",
    "attach_file",
    "counts_by_status",
    "counts_per_day",
    "create_invitation",
    "create_submission",
    "definition_for",
    "definition_of",
    "find_by_codename",
    "finish",
    "form_token",
    "intake_settings",
    "mapped_fields",
    "merge",
    "open_public_link",
    "person_status",
    "propose_candidates",
    "queue",
    "read_answers",
    "read_messages",
    "read_submission",
    "reject",
    "reply_from_person",
    "request_documents",
    "revoke_invitation",
    "save_page",
    "send_to_person",
    "start_from_invitation",
    "start_from_public_link",
    "start_review",
    "submission_from_token",
    "sweep_drafts",
    "take_from_budget",
    "update_settings",
    "upload_definition",
    "usable_invitation",
    "usable_invitation_row",
    "withdraw",
]
