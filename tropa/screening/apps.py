from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScreeningConfig(AppConfig):
    name = "tropa.screening"
    label = "screening"
    verbose_name = _("Screening")

    def ready(self) -> None:
        from tropa.cases.registry import Panel, register_panel

        from .panel import case_panel

        register_panel(Panel("screening", "screening/_case_panel.html", case_panel, order=40))
