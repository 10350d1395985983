from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# What dies with a case: sealed under its case key (docs/retention.md).
CASE_SCOPED = (
    ("vetting.check", "vetting.case"),
    ("vetting.checkrevision", "check_row.vetting.case"),
    ("vetting.claim", "vetting.case"),
    ("vetting.decision", "vetting.case"),
    ("vetting.signoff", "decision.vetting.case"),
    ("vetting.dossier", "vetting.case"),
)


class VettingConfig(AppConfig):
    name = "tropa.vetting"
    label = "vetting"
    verbose_name = _("Vetting")

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

        from .panel import dashboard_context, panel_context

        register_panel(Panel("vetting", "vetting/_panel.html", panel_context, order=55))
        register_dashboard_panel(
            DashboardPanel("vetting", "vetting/_dashboard.html", dashboard_context, order=40)
        )
