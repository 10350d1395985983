from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvidenceConfig(AppConfig):
    name = "tropa.evidence"
    label = "evidence"
    verbose_name = _("Evidence")

    def ready(self) -> None:
        from tropa.cases.registry import (
            DashboardPanel,
            Panel,
            register_dashboard_panel,
            register_panel,
            register_timeline,
        )
        from tropa.core import workers

        from . import tasks
        from .panel import dashboard_context, panel_context, timeline

        # A worker killed while mat2 ran left the photo it worked on in RAM: removed before
        # the next worker takes a task (and by the sweep); a given-up item says so.
        workers.worker_started.connect(_clean_scratch, dispatch_uid="evidence.scratch")
        workers.task_abandoned.connect(tasks.abandoned, dispatch_uid="evidence.abandoned")

        register_panel(Panel("evidence", "evidence/_panel.html", panel_context, order=50))
        register_timeline("evidence", timeline)
        register_dashboard_panel(
            DashboardPanel("evidence", "evidence/_dashboard.html", dashboard_context, order=50)
        )


def _clean_scratch(**_kwargs: object) -> None:
    from . import tools

    tools.clean_scratch()
