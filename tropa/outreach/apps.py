from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutreachConfig(AppConfig):
    name = "tropa.outreach"
    label = "outreach"
    verbose_name = _("Outreach")

    def ready(self) -> None:
        from tropa.cases.registry import Panel, register_panel

        from .panel import case_panel

        register_panel(
            Panel(
                key="outreach", template="outreach/_case_panel.html", context=case_panel, order=60
            )
        )
