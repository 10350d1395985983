from django.apps import AppConfig


class SharingConfig(AppConfig):
    name = "tropa.sharing"
    label = "sharing"
    verbose_name = "Sharing"

    def ready(self) -> None:
        from tropa.crypto.fields import case_scoped

        # A received referral's note, consent and what came die with the receiver's case.
        case_scoped("sharing.receipt", "case")

        from tropa.cases.registry import Panel, register_granted_cases, register_panel

        from .access import granted_case_filter
        from .panel import panel_context

        register_granted_cases(granted_case_filter)
        register_panel(Panel("sharing", "sharing/_panel.html", panel_context, order=90))
