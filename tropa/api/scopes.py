"""What a token may be used for. A scope narrows a token; it never adds to the user's role."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Scope(models.TextChoices):
    CASES_READ = "cases:read", _("Read the cases you see and their open alerts")
    CASES_WRITE = "cases:write", _("Create cases, move stages, add notes, tasks, needs, support")
    TASKS = "tasks", _("Your tasks: list them and mark them done")
    OUTREACH_READ = "outreach:read", _("Read institutions and requests")
    OUTREACH_WRITE = "outreach:write", _("Record answers to requests")
    INTAKE_WRITE = "intake:write", _("Create intake submissions (for a trusted bot)")
    SCREENING_READ = "screening:read", _("Read the screening hits of a case")
