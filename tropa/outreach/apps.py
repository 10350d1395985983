from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# What dies with a case: sealed under its case key (docs/retention.md); a request
# without a case stays under the organization's key.
CASE_SCOPED = (
    ("outreach.request", "case"),
    ("outreach.statuschange", "request.case"),
    ("outreach.attachment", "request.case"),
    ("outreach.importstaging", "case"),
)


class OutreachConfig(AppConfig):
    name = "tropa.outreach"
    label = "outreach"
    verbose_name = _("Outreach")

    def ready(self) -> None:
        from tropa.crypto.fields import case_scoped

        for label, via in CASE_SCOPED:
            case_scoped(label, via)

        from tropa.cases.registry import Panel, register_panel

        from .panel import case_panel

        register_panel(
            Panel(
                key="outreach", template="outreach/_case_panel.html", context=case_panel, order=60
            )
        )
