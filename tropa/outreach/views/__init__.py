"""Outreach views: parse, fetch through an access helper, call a service, render.

Pages only read; a write is a POST that makes one service call (``run_action`` flashes its
result). One module per concern; ``urls`` and other callers import the views from here.
"""

from __future__ import annotations

from .followups import followed_up, followup_reminder, followup_settings, index
from .imports import import_preview, import_upload
from .institutions import (
    contact_add,
    contact_remove,
    directory,
    institution_detail,
    institution_edit,
    institution_new,
    load_starter,
)
from .letters import (
    compose,
    letter_preview_pdf,
    request_pdf,
    request_text,
    template_edit,
    template_list,
    template_new,
)
from .requests import (
    attachment_add,
    attachment_download,
    request_answer,
    request_detail,
    request_export,
    request_list,
    request_new,
    request_reveal,
)
from .stats import statistics, statistics_export

__all__ = [
    "attachment_add",
    "attachment_download",
    "compose",
    "contact_add",
    "contact_remove",
    "directory",
    "followed_up",
    "followup_reminder",
    "followup_settings",
    "import_preview",
    "import_upload",
    "index",
    "institution_detail",
    "institution_edit",
    "institution_new",
    "letter_preview_pdf",
    "load_starter",
    "request_answer",
    "request_detail",
    "request_export",
    "request_list",
    "request_new",
    "request_pdf",
    "request_reveal",
    "request_text",
    "statistics",
    "statistics_export",
    "template_edit",
    "template_list",
    "template_new",
]
