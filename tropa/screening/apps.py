from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# What dies with a case: a hit's sealed facts and reason, under its case key
# (docs/retention.md). Lists belong to the organization; a duplicate pair to two people.
CASE_SCOPED = (("screening.screeninghit", "person"),)


class ScreeningConfig(AppConfig):
    name = "tropa.screening"
    label = "screening"
    verbose_name = _("Screening")

    def ready(self) -> None:
        from tropa.crypto.fields import case_scoped

        for label, via in CASE_SCOPED:
            case_scoped(label, via)

        from tropa.cases.registry import Panel, register_panel
        from tropa.core import workers

        from . import tasks
        from .panel import case_panel

        # A duplicate search whose worker died on it: the page says it failed.
        workers.task_abandoned.connect(tasks.abandoned, dispatch_uid="screening.abandoned")

        register_panel(Panel("screening", "screening/_case_panel.html", case_panel, order=40))
