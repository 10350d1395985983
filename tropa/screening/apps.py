from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScreeningConfig(AppConfig):
    name = "tropa.screening"
    label = "screening"
    verbose_name = _("Screening")

    def ready(self) -> None:
        from tropa.cases.registry import Panel, register_panel
        from tropa.core import workers

        from . import tasks
        from .panel import case_panel

        # A duplicate search whose worker died on it: the page says it failed.
        workers.task_abandoned.connect(tasks.abandoned, dispatch_uid="screening.abandoned")

        register_panel(Panel("screening", "screening/_case_panel.html", case_panel, order=40))
