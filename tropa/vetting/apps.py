from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VettingConfig(AppConfig):
    name = "tropa.vetting"
    label = "vetting"
    verbose_name = _("Vetting")

    def ready(self) -> None:
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
