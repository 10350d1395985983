from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TestimonyConfig(AppConfig):
    name = "tropa.testimony"
    label = "testimony"
    verbose_name = _("Testimony")

    def ready(self) -> None:
        from tropa.cases.registry import Panel, register_panel

        from .panel import panel_context

        register_panel(Panel("testimony", "testimony/_panel.html", panel_context, order=45))
