from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RetentionConfig(AppConfig):
    name = "tropa.retention"
    label = "retention"
    verbose_name = _("Retention, erasure and dual control")

    def ready(self) -> None:
        from tropa.cases.registry import Panel, register_panel, register_reveal_gate
        from tropa.crypto.fields import case_scoped

        case_scoped("retention.request", "case")  # a reason dies with its case

        from .dual_control import reveal_gate
        from .panel import panel_context

        register_panel(Panel("retention", "retention/_panel.html", panel_context, order=12))

        # With dual control on, a reveal needs a second person's approval (R18).
        register_reveal_gate(reveal_gate)

        # ... and so do finding a case by identity and the bulk exports (R18).
        from tropa.cases.registry import register_hold_gate

        from .holds import hold_gate

        register_hold_gate(hold_gate)
