from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# What dies with a case: sealed under its case key (docs/retention.md). A corroboration
# joins two cases: sealed under the first event's, and deleted when either case is erased.
CASE_SCOPED = (
    ("testimony.witness", "case"),
    ("testimony.testimonyversion", "testimony.case"),
    ("testimony.event", "case"),
    ("testimony.act", "event.case"),
    ("testimony.corroboration", "event_a.case"),
    ("testimony.testimonyexport", "case"),
)


class TestimonyConfig(AppConfig):
    name = "tropa.testimony"
    label = "testimony"
    verbose_name = _("Testimony")

    def ready(self) -> None:
        from tropa.crypto.fields import case_scoped

        for label, via in CASE_SCOPED:
            case_scoped(label, via)

        from tropa.cases.registry import Panel, register_panel

        from .panel import panel_context

        register_panel(Panel("testimony", "testimony/_panel.html", panel_context, order=45))
