from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# What dies with a case: border points and deadline notes, under its case key
# (docs/retention.md).
CASE_SCOPED = (("pathways.trip", "case"), ("pathways.deadline", "case"))


class PathwaysConfig(AppConfig):
    name = "tropa.pathways"
    label = "pathways"
    verbose_name = _("Pathways")

    def ready(self) -> None:
        from tropa.crypto.fields import case_scoped

        for label, via in CASE_SCOPED:
            case_scoped(label, via)

        from tropa.cases.registry import (
            DashboardPanel,
            Panel,
            register_dashboard_panel,
            register_panel,
        )

        from .panel import case_panel, dashboard_panel

        register_panel(Panel("pathways", "pathways/_case_panel.html", case_panel, order=70))
        register_dashboard_panel(
            DashboardPanel("deadlines", "pathways/_dashboard.html", dashboard_panel, order=20)
        )
