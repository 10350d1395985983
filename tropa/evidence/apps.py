from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# What dies with a case: items' names, records and metadata, under its case key
# (docs/retention.md); the blobs' stream keys are wrapped by it already (vault.py).
CASE_SCOPED = (
    ("evidence.evidenceitem", "case"),
    ("evidence.uploadsession", "case"),
    ("evidence.deletionrequest", "item.case"),
)


class EvidenceConfig(AppConfig):
    name = "tropa.evidence"
    label = "evidence"
    verbose_name = _("Evidence")

    def ready(self) -> None:
        from tropa.crypto.fields import case_scoped

        for label, via in CASE_SCOPED:
            case_scoped(label, via)

        # Only the registry's entries and two signal handlers: the services, the tools and
        # the bundle code load when first used, not at ``django.setup()``.
        from tropa.cases.registry import (
            DashboardPanel,
            Panel,
            register_dashboard_panel,
            register_panel,
            register_timeline,
        )
        from tropa.core import workers

        from .panel import dashboard_context, panel_context, timeline

        # A worker killed while mat2 ran left the photo it worked on in RAM: removed before
        # the next worker takes a task (and by the sweep); a given-up item says so.
        workers.worker_started.connect(_clean_scratch, dispatch_uid="evidence.scratch")
        workers.task_abandoned.connect(_task_abandoned, dispatch_uid="evidence.task_abandoned")

        register_panel(Panel("evidence", "evidence/_panel.html", panel_context, order=50))
        register_timeline("evidence", timeline)
        register_dashboard_panel(
            DashboardPanel("evidence", "evidence/_dashboard.html", dashboard_context, order=50)
        )


def _clean_scratch(**_kwargs: object) -> None:
    from . import tools

    tools.clean_scratch()


def _task_abandoned(**kwargs: object) -> None:
    from .services.housekeeping import task_abandoned

    task_abandoned(**kwargs)  # type: ignore[arg-type]  # the signal's keywords, as sent
