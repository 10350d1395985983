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

        from .panel import dashboard_context, panel_context, timeline

        register_panel(Panel("evidence", "evidence/_panel.html", panel_context, order=50))
        register_timeline("evidence", timeline)
        register_dashboard_panel(
            DashboardPanel("evidence", "evidence/_dashboard.html", dashboard_context, order=50)
        )
